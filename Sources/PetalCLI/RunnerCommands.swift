import ArgumentParser
import Foundation
import PetalRunner
import PetalSettings
import PetalSystem

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the Procfile's processes (honcho/foreman style), resizable at run time with `petal scale`.")

    @OptionGroup var project: ProjectOptions
    @Argument(help: "Only these process types (default: all).") var processes: [String] = []
    @Option(name: [.short, .long], help: "How many of each: all=1,worker=2.") var concurrency: String?
    @Option(name: [.short, .long], help: "Base port (default: PORT from .env, else from the environment, else 5000); +100 per process type, +1 per instance.") var port: Int?
    @Option(name: [.short, .long], help: "Process types whose output is not shown, comma-separated.") var quiet: String?
    @Option(help: "Seconds between SIGTERM and SIGKILL at shutdown.") var timeout: Double = 10
    @Flag(help: "Restart a process that exits, with backoff, instead of stopping everything.") var restart = false
    @Option(help: "Control socket (default: PETAL_RUNNER_SOCKET, else .petal/runner.sock).") var socket: String?

    func run() throws {
        try RunnerFailure.reporting {
            let loaded = try project.load()
            for name in processes where !loaded.procfile.entries.contains(where: { $0.name == name }) {
                throw RunnerFailure("process type '\(name)' does not exist in \(loaded.procfilePath)")
            }
            let formation: Formation
            do { formation = try Formation(procfile: loaded.procfile, spec: concurrency, portOrder: processes) } catch { throw ValidationError("\(error)") }
            for name in formation.unknownNames { RunnerFailure.warn("-c \(name): no such process type in \(loaded.procfilePath), ignored") }
            var options = RunnerOptions()
            options.only = processes
            options.concurrency = concurrency
            do { options.basePort = try loaded.basePort(option: port) } catch { throw RunnerFailure("\(error)") }
            options.quiet = Set((quiet ?? "").split(separator: ",").map { String($0) })
            options.timeout = timeout
            options.restart = restart
            options.socketPath = socket ?? EnvironmentSettings(loaded.environment).runnerSocketPath
            options.style = .detect(descriptor: 1, noColor: project.noColor || EnvironmentSettings(loaded.environment).noColor,
                                    noPrefix: project.noPrefix)
            let code = Runner(procfile: loaded.procfile, formation: formation, environment: loaded.environment, options: options).run()
            throw ExitCode(code)
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run one command with the .env files loaded: petal run [--] COMMAND ...")
    @OptionGroup var project: ProjectOptions
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        // Passthrough would hand `--help` to the command (env's help); before `--` it is ours.
        if let first = command.first, first == "--help" || first == "-h" { throw CleanExit.helpRequest(self) }
        let arguments = command.first == "--" ? Array(command.dropFirst()) : command
        guard !arguments.isEmpty else { throw ValidationError("give a command: petal run -- COMMAND") }
        let files = RunnerEnvironment.read(files: project.env, appRoot: project.appRoot)
        for warning in files.warnings { RunnerFailure.warn("\(warning)") }
        let process = try ChildProcess.spawn(executable: "/usr/bin/env", arguments: arguments,
                                             environment: RunnerEnvironment.merge(files.pairs), descriptors: [0: 0, 1: 1, 2: 2])
        switch process.wait() {
        case .exited(let code): throw ExitCode(code)
        case .signaled(let signal): throw ExitCode(128 + signal)
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the Procfile and .env files and list the process types.")
    @OptionGroup var project: ProjectOptions

    func run() throws {
        try RunnerFailure.reporting {
            let loaded = try project.load()
            // On stderr, as honcho logs it (its tests read it there).
            FileHandle.standardError.write(Data("Valid procfile detected (\(loaded.procfile.entries.map(\.name).joined(separator: ", ")))\n".utf8))
        }
    }
}

/// `petal ps`, `scale`, `restart`, `stop`: requests to a running `petal start`.
struct RunnerRequest: ParsableArguments {
    @Option(help: "Control socket (default: PETAL_RUNNER_SOCKET, else .petal/runner.sock).") var socket: String?

    func send(_ line: String) throws -> String {
        let path = socket ?? EnvironmentSettings(ProcessInfo.processInfo.environment).runnerSocketPath
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
