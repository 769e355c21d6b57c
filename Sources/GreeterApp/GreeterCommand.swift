import ArgumentParser
import Hummingbird
import Greeter
import Petal
import PetalCommandLine
import PetalRedis
import PetalSettings
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

    struct Web: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the greeter's pages.")
        @OptionGroup var redis: RedisOptions
        @Option(help: "Port (default: GREETER_PORT or 5554).") var port: Int?
        @Option(help: "Address to bind.") var address = "127.0.0.1"
        @Option(help: "Host names to answer besides IP addresses and localhost, comma-separated; .example.com allows subdomains (default: GREETER_ALLOWED_HOSTS).")
        var allowedHosts: String?
        @Option(help: "Log level: trace, debug, info, notice, warning, error (default: PETAL_LOG_LEVEL or info).") var logLevel: String?

        func run() async throws {
            let settings = EnvironmentSettings.ofThisProcess()
            LogSetup.bootstrap(level: logLevel, settings: settings)
            let configuration: GreeterConfiguration
            do {
                configuration = GreeterConfiguration(
                    address: address, port: try port ?? settings.greeterPort(),
                    templatesDirectory: ResourceDirectory.find("Templates"),
                    staticDirectory: ResourceDirectory.find("Static"),
                    cookieSecret: try GreeterSecret.load(settings),
                    allowedHosts: AllowedHosts.names(in: allowedHosts ?? settings.greeterAllowedHosts ?? ""))
            } catch let error as SettingsError {
                throw ValidationError("\(error)")
            }
            let client = try redis.client(settings, poolSize: 8)
            try await runGreeterWeb(configuration: configuration, client: client)
        }
    }

    struct WorkerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run a Petal worker with the greeter's tasks and the demo tasks.")
        @OptionGroup var redis: RedisOptions
        @OptionGroup var options: WorkerOptions
        @Option(help: "A fleet-wide rate limit for the greeting, declared at start: 10/s, 100/m, 1000/h, or 0 for none (a change at run time holds until this changes).")
        var greetRateLimit: String?

        func run() async throws {
            let settings = EnvironmentSettings.ofThisProcess()
            var registry = BuiltinTasks.registry
            do {
                GreeterTasks.register(in: &registry, softTimeLimit: try settings.greeterSoftTimeLimit(), rateLimit: greetRateLimit)
            } catch {
                throw ValidationError("\(error)")
            }
            // The greeter's jobs go to `greeter`; the demo tasks' to `default`, which `petal worker` shares.
            try await options.run(registry: registry, redis: redis, settings: settings, label: "greeter.worker",
                                  defaultQueues: [GreeterConfiguration.defaultQueue, "default"])
        }
    }
}
