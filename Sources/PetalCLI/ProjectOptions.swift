import ArgumentParser
import Foundation
import PetalRunner

/// honcho's common options, taken by `start`, `run`, `check` and `export`, before or after the
/// command's name (`GlobalOptionOrder` moves those given before it).
struct ProjectOptions: ParsableArguments {
    @Option(name: [.short, .customLong("procfile")], help: "The Procfile (default: PROCFILE from .env or the environment, else Procfile).")
    var file: String?
    @Option(name: [.short, .customLong("env")], help: "Environment files, comma-separated (default: .env if present).")
    var env: String?
    @Option(name: [.customShort("d"), .customLong("app-root")], help: "Folder of the Procfile and the .env files.")
    var appRoot: String = "."
    @Flag(name: [.customLong("no-color"), .customLong("no-colour")], help: "No colours (also NO_COLOR, or output that is not a terminal).")
    var noColor = false
    @Flag(help: "No 'time name |' prefixes.") var noPrefix = false

    /// The project, its skipped lines reported on stderr; a missing Procfile or a name defined
    /// twice ends the command with status 1 (a run-time failure, not a usage error).
    func load() throws -> Project {
        let project: Project
        do {
            project = try Project.load(appRoot: appRoot, procfile: file, envFiles: env)
        } catch {
            throw RunnerFailure("\(error)")
        }
        for warning in project.warnings { RunnerFailure.warn("\(warning)") }
        return project
    }
}

/// A run-time failure of a runner command: one line on stderr and status 1, as honcho's errors
/// (usage errors stay ArgumentParser's, status 64 with the usage line).
struct RunnerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("petal: warning: \(message)\n".utf8))
    }

    /// Runs a command's body, turning a RunnerFailure into its line and status 1.
    static func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as RunnerFailure {
            FileHandle.standardError.write(Data("petal: \(failure.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
