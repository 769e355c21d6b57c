import ArgumentParser
import Foundation
import Hummingbird
import Petal
import PetalMonitor
import PetalRedis
import PetalWeb

/// `petal monitor`: the web dashboard and Flower-compatible API.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "Serve the monitor: dashboard, tasks, queues and Flower's REST API.")

    @OptionGroup var redisOptions: RedisOptions
    @Option(help: "Port (default: MONITOR_PORT or 5555).") var port: Int?
    @Option(help: "Address to bind; anything but loopback wants --basic-auth.") var address = "127.0.0.1"
    @Option(help: "USER:PASS required on every page and API call (default: MONITOR_BASIC_AUTH).") var basicAuth: String?
    @Option(help: "Serve under this path, e.g. /monitor behind a proxy.") var urlPrefix = ""
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String?
    @Option(help: "Host names to answer besides IP addresses and localhost, comma-separated; .example.com allows subdomains, * any name (default: MONITOR_ALLOWED_HOSTS). Other names get 421, which stops DNS rebinding.")
    var allowedHosts: String?

    func validate() throws {
        if let basicAuth, !basicAuth.contains(":") { throw ValidationError("--basic-auth takes USER:PASS") }
    }

    func run() async throws {
        LogSetup.bootstrap(level: logLevel)
        let environment = ProcessInfo.processInfo.environment
        let redisConfiguration = try redisOptions.configuration()
        let keys = Keys(prefix: redisOptions.prefix)
        let configuration = MonitorConfiguration(
            address: address, port: port ?? environment["MONITOR_PORT"].flatMap { Int($0) } ?? 5555,
            redisDisplayURL: redisConfiguration.description,
            basicAuth: basicAuth ?? environment["MONITOR_BASIC_AUTH"].flatMap { $0.isEmpty ? nil : $0 },
            urlPrefix: urlPrefix, templatesDirectory: ResourceDirectory.find("Templates"),
            staticDirectory: ResourceDirectory.find("Static"), runnerSocket: environment["PETAL_RUNNER_SOCKET"],
            allowedHosts: (allowedHosts ?? environment["MONITOR_ALLOWED_HOSTS"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init),
            secret: environment["MONITOR_SECRET"].flatMap { $0.isEmpty ? nil : $0 } ?? MessageSigner.randomSecret())
        let client = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 4), keys: keys)
        let eventClient = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 1), keys: keys)
        try await buildMonitorApplication(configuration: configuration, client: client, eventClient: eventClient).runService()
    }
}
