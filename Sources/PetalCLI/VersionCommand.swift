import ArgumentParser

/// `petal version` (also `petal -v`, `petal --version`): `petal 0.1.0`, as `honcho version` prints `honcho 2.0.0`.
struct VersionCommand: ParsableCommand {
    static let current = "0.1.0"
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Petal's version.")

    func run() { print("petal \(Self.current)") }
}
