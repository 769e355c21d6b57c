/// honcho and foreman take their common options on either side of the command
/// (`honcho -f Procfile.dev start`, `honcho -e .env.x run ...`); ArgumentParser takes a
/// subcommand's options only after its name. So options given before a runner command's name
/// are moved after it, before ArgumentParser sees them. `-v` and `--version` become `version`.
enum GlobalOptionOrder {
    static let runnerCommands: Set<String> = ["start", "run", "check", "export"]
    static let optionsWithValue: Set<String> = ["-f", "--procfile", "-e", "--env", "-d", "--app-root", "-q", "--quiet"]
    static let flags: Set<String> = ["--no-colour", "--no-color", "--no-prefix"]

    static func normalized(_ arguments: [String]) -> [String] {
        if arguments.first == "-v" || arguments.first == "--version" { return ["version"] }
        // `petal --redis URL schedule list`: every command takes --redis, but only after its own
        // name; given first, it moves to the end (before a `--`, after which nothing is an option).
        if let first = arguments.first, first == "--redis" || first.hasPrefix("--redis=") {
            let count = first == "--redis" ? min(2, arguments.count) : 1
            let rest = Array(arguments.dropFirst(count))
            guard !rest.isEmpty, !rest[0].hasPrefix("-") else { return arguments }
            let end = rest.firstIndex(of: "--") ?? rest.endIndex
            return Array(rest[..<end]) + arguments.prefix(count) + rest[end...]
        }
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) || (argument.hasPrefix("--") && argument.contains("=") && optionsWithValue.contains(name)) {
                leading.append(argument)
                index += 1
            } else if optionsWithValue.contains(argument), index + 1 < arguments.count {
                leading += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, runnerCommands.contains(arguments[index]) else { return arguments }
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
