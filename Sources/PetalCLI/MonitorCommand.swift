import ArgumentParser
import Hummingbird
import Petal
import PetalCommandLine
import PetalMonitor
import PetalRedis
import PetalSettings
import PetalWeb

/// `petal monitor`: the web dashboard and Flower-compatible API.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "Serve the monitor: dashboard, tasks, queues and Flower's REST API.")

    @OptionGroup var redisOptions: RedisOptions
    @Option(help: "Port (default: MONITOR_PORT or 5555).") var port: Int?
    @Option(help: "Address to bind; anything but loopback wants --basic-auth.") var address = "127.0.0.1"
    @Option(help: "USER:PASS required on every page and API call (default: MONITOR_BASIC_AUTH).") var basicAuth: String?
    @Option(help: "Serve under this path, e.g. /monitor behind a proxy.") var urlPrefix = ""
    @Option(help: "Log level: trace, debug, info, notice, warning, error (default: PETAL_LOG_LEVEL or info).") var logLevel: String?
    @Option(help: "Host names to answer besides IP addresses and localhost, comma-separated; .example.com allows subdomains, * any name (default: MONITOR_ALLOWED_HOSTS). Other names get 421, which stops DNS rebinding.")
    var allowedHosts: String?

    func run() async throws {
        let settings = EnvironmentSettings.ofThisProcess()
        LogSetup.bootstrap(level: logLevel, settings: settings)
        let credentials = basicAuth ?? settings.monitorBasicAuth
        if let credentials, !credentials.contains(":") {
            throw ValidationError("\(basicAuth == nil ? "MONITOR_BASIC_AUTH" : "--basic-auth") takes USER:PASS")
        }
        let redisConfiguration = try redisOptions.redisConfiguration(settings)
        let keys = Keys(prefix: redisOptions.keyPrefix(settings))
        let configuration: MonitorConfiguration
        do {
            configuration = MonitorConfiguration(
                address: address, port: try port ?? settings.monitorPort(),
                redisDisplayURL: redisConfiguration.description, basicAuth: credentials,
                urlPrefix: urlPrefix, templatesDirectory: ResourceDirectory.find("Templates"),
                staticDirectory: ResourceDirectory.find("Static"), runnerSocket: settings.runnerSocket,
                allowedHosts: AllowedHosts.names(in: allowedHosts ?? settings.monitorAllowedHosts ?? ""),
                secret: settings.monitorSecret ?? MessageSigner.randomSecret())
        } catch {
            throw ValidationError("\(error)")
        }
        let client = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 4), keys: keys)
        let eventClient = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 1), keys: keys)
        try await buildMonitorApplication(configuration: configuration, client: client, eventClient: eventClient).runService()
    }
}
