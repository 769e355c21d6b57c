import ArgumentParser
import Foundation
import Greeter
import Hummingbird
import Logging
import Petal
import PetalRedis
import PetalRedisOptions
import PetalWeb
import PetalWorker

@main
struct GreeterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeter", abstract: "The Petal example app: a web form that starts slow greetings, and their worker.",
        subcommands: [Web.self, WorkerCommand.self])

    /// Masks Redis passwords in what `ps` shows before anything else runs, then parses the
    /// arguments as they were given (read first: CommandLine.arguments reads argv when first used).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        PasswordMasking.hideInProcessArguments()
        await main(arguments)
    }

    static func bootstrapLogging() {
        let level = Logger.Level(rawValue: (ProcessInfo.processInfo.environment["PETAL_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    struct Web: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the greeter's pages.")
        @Option(help: "Port (default: GREETER_PORT or 5554).") var port: Int?
        @Option(help: "Address to bind.") var address = "127.0.0.1"
        @OptionGroup var redis: RedisConnectionOptions
        @Option(help: "Host names to answer besides IP addresses and localhost, comma-separated; .example.com allows subdomains (default: GREETER_ALLOWED_HOSTS).")
        var allowedHosts: String?

        func run() async throws {
            GreeterCommand.bootstrapLogging()
            let environment = ProcessInfo.processInfo.environment
            let configuration = GreeterConfiguration(
                address: address, port: port ?? environment["GREETER_PORT"].flatMap { Int($0) } ?? 5554,
                templatesDirectory: ResourceDirectory.find("Templates"),
                staticDirectory: ResourceDirectory.find("Static"),
                cookieSecret: try GreeterSecret.load(environment: environment),
                allowedHosts: (allowedHosts ?? environment["GREETER_ALLOWED_HOSTS"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init))
            let client = PetalClient(redis: RedisClient(configuration: try redis.configuration(), poolSize: 8))
            try await buildGreeterApplication(configuration: configuration, client: client).runService()
        }
    }

    struct WorkerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run a Petal worker with the greeter's tasks and the demo tasks.")
        @Option(name: [.short, .long], help: "Child processes.") var concurrency = 2
        @Option(name: [.short, .long], help: "Queues, highest priority first.") var queues = "default"
        @OptionGroup var redis: RedisConnectionOptions
        @Option(name: [.short, .long], help: "Worker name.") var name: String?
        @Option(help: "Seconds between heartbeats.") var heartbeatInterval: Double = 2
        @Option(help: "Seconds a warm shutdown waits for running jobs.") var shutdownTimeout: Double = 30

        func run() async throws {
            GreeterCommand.bootstrapLogging()
            var registry = BuiltinTasks.registry
            let soft = ProcessInfo.processInfo.environment["GREETER_SOFT_TIME_LIMIT"].flatMap { Double($0) } ?? 60
            GreeterTasks.register(in: &registry, softTimeLimit: soft)
            var configuration = WorkerConfiguration(redis: try redis.configuration(),
                                                    queues: queues.split(separator: ",").map(String.init), concurrency: concurrency,
                                                    heartbeatInterval: heartbeatInterval, shutdownTimeout: shutdownTimeout)
            if let name { configuration.name = name }
            let code = try await Worker(configuration: configuration, registry: registry, logger: Logger(label: "greeter.worker")).run()
            if code != 0 { throw ExitCode(code) }
        }
    }
}
