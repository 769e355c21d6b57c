import ArgumentParser
import Foundation
import PetalRunner
import PetalSystem

/// The Procfile and .env options `start`, `run` and `check` share.
struct ProcfileOptions: ParsableArguments {
    @Option(name: [.short, .customLong("procfile")], help: "The Procfile.") var file: String = "Procfile"
    @Option(name: [.short, .customLong("env")], help: "Environment files, comma-separated (default: .env if present).") var env: String?

    func load() throws -> (Procfile, [String: String]) {
        do {
            return (try RunnerEnvironment.procfile(at: file), try RunnerEnvironment.load(files: env))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the Procfile's processes (honcho/foreman style), resizable at run time with `petal scale`.")

    @OptionGroup var procfileOptions: ProcfileOptions
    @Argument(help: "Only these process types (default: all).") var processes: [String] = []
    @Option(name: [.short, .long], help: "How many of each: all=1,worker=2.") var concurrency: String?
    @Option(name: [.short, .long], help: "Base port (default: PORT, else 5000); +100 per process type, +1 per instance.") var port: Int?
    @Option(help: "Seconds between SIGTERM and SIGKILL at shutdown.") var timeout: Double = 10
    @Flag(help: "Restart a process that exits, with backoff, instead of stopping everything.") var restart = false
    @Flag(help: "No colours (also NO_COLOR, or output that is not a terminal).") var noColor = false
    @Flag(help: "No 'time name |' prefixes.") var noPrefix = false
    @Option(help: "Control socket (default: PETAL_RUNNER_SOCKET, else .petal/runner.sock).") var socket: String?

    func run() throws {
        let (procfile, environment) = try procfileOptions.load()
        for name in processes where !procfile.entries.contains(where: { $0.name == name }) {
            throw ValidationError("no process named '\(name)' in \(procfileOptions.file)")
        }
        let formation: Formation
        do { formation = try Formation(procfile: procfile, spec: concurrency) } catch { throw ValidationError("\(error)") }
        var options = RunnerOptions()
        options.only = processes
        options.concurrency = concurrency
        options.basePort = port
        options.timeout = timeout
        options.restart = restart
        options.socketPath = socket ?? environment["PETAL_RUNNER_SOCKET"] ?? ".petal/runner.sock"
        options.style = .detect(descriptor: 1, noColorFlag: noColor, noPrefix: noPrefix)
        let code = Runner(procfile: procfile, formation: formation, environment: environment, options: options).run()
        throw ExitCode(code)
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run one command with the .env files loaded: petal run -- COMMAND ...")
    @Option(name: [.short, .customLong("env")], help: "Environment files, comma-separated (default: .env if present).") var env: String?
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        // Passthrough would hand `--help` to the command (env's help); before `--` it is ours.
        if let first = command.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else { throw ValidationError("give a command: petal run -- COMMAND") }
        let environment: [String: String]
        do { environment = try RunnerEnvironment.load(files: env) } catch { throw ValidationError("\(error)") }
        let process = try ChildProcess.spawn(executable: "/usr/bin/env", arguments: arguments, environment: environment,
                                             descriptors: [0: 0, 1: 1, 2: 2])
        switch process.wait() {
        case .exited(let code): throw ExitCode(code)
        case .signaled(let signal): throw ExitCode(128 + signal)
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the Procfile and .env files and list the process types.")
    @OptionGroup var procfileOptions: ProcfileOptions

    func run() throws {
        let (procfile, _) = try procfileOptions.load()
        print("valid procfile detected (\(procfile.entries.map(\.name).joined(separator: ", ")))")
    }
}

/// `petal ps`, `scale`, `restart`, `stop`: requests to a running `petal start`.
struct RunnerRequest: ParsableArguments {
    @Option(help: "Control socket (default: PETAL_RUNNER_SOCKET, else .petal/runner.sock).") var socket: String?

    func send(_ line: String) throws -> String {
        let path = socket ?? ProcessInfo.processInfo.environment["PETAL_RUNNER_SOCKET"] ?? ".petal/runner.sock"
        let answer: String
        do { answer = try UnixSocket.request(line, path: path) } catch {
            FileHandle.standardError.write(Data("petal: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if answer.hasPrefix("{\"error\"") {
            FileHandle.standardError.write(Data("petal: \(answer)\n".utf8))
            throw ExitCode(1)
        }
        return answer
    }
}

struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List the running formation: name, pid, state, uptime, restarts.")
    @OptionGroup var request: RunnerRequest
    @Flag(help: "Print the runner's JSON answer.") var json = false

    func run() throws {
        let answer = try request.send("ps")
        if json { print(answer); return }
        guard let data = answer.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let ok = object["ok"] as? [String: Any], let rows = ok["processes"] as? [[String: Any]] else {
            print(answer)
            return
        }
        print("NAME".padding(toLength: 16, withPad: " ", startingAt: 0) + "PID".padding(toLength: 9, withPad: " ", startingAt: 0)
              + "STATE".padding(toLength: 10, withPad: " ", startingAt: 0) + "UPTIME".padding(toLength: 9, withPad: " ", startingAt: 0) + "RESTARTS")
        for row in rows {
            let cells = ["\(row["name"] ?? "")", "\(row["pid"] ?? "")", "\(row["state"] ?? "")", "\(row["uptime"] ?? "")s"]
            print(zip(cells, [16, 9, 10, 9]).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined() + "\(row["restarts"] ?? 0)")
        }
    }
}

struct ScaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scale", abstract: "Change how many of a process type run: petal scale worker=3")
    @OptionGroup var request: RunnerRequest
    @Argument(help: "name=count[,name=count]") var formation: String
    func run() throws { print(try request.send("scale \(formation)")) }
}

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one instance: petal restart worker.2")
    @OptionGroup var request: RunnerRequest
    @Argument var instance: String
    func run() throws { print(try request.send("restart \(instance)")) }
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one instance: petal stop worker.2")
    @OptionGroup var request: RunnerRequest
    @Argument var instance: String
    func run() throws { print(try request.send("stop \(instance)")) }
}
