import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import Petal
import PetalWeb

/// Builds the monitor from its dependencies. `client` serves the pages; `eventClient` (a client
/// of its own, since it blocks on XREAD) follows the event stream for live pages and metrics.
public func buildMonitorApplication(configuration: MonitorConfiguration, client: PetalClient, eventClient: PetalClient,
                                    logger: Logger = Logger(label: "petal.monitor")) async throws -> some ApplicationProtocol {
    if !configuration.isLoopback && configuration.basicAuth == nil {
        logger.warning("the monitor listens on \(configuration.address) without --basic-auth: anyone who can reach it can revoke jobs and stop workers")
    }
    if !configuration.isLoopback && configuration.allowedHosts.isEmpty {
        logger.notice("requests by host name (not IP address or localhost) get 421 unless the name is given with --allowed-hosts")
    }
    let templates = try await Templates.load(directory: configuration.templatesDirectory)
    let prefix = configuration.urlPrefix
    let signer = MessageSigner(secret: configuration.secret)
    let renderer = PageRenderer(templates: templates, base: prefix, signer: signer)
    let metrics = MonitorMetrics()
    let live = LiveUpdates()
    let workerCache = WorkerCache(client: client)
    let router = Router(context: MonitorRequestContext.self, options: .autoGenerateHeadEndpoints)
    let table = RouteTable()
    router.add(middleware: AllowedHostsMiddleware(hosts: AllowedHosts(configuration.allowedHosts, listeningOn: configuration.address)))
    router.add(middleware: SecurityHeadersMiddleware())
    if let credentials = configuration.basicAuth { router.add(middleware: BasicAuthMiddleware(credentials: credentials, prefix: prefix)) }
    router.add(middleware: MethodNotAllowedMiddleware(table: table))
    router.add(middleware: ErrorMiddleware(audience: .operators(redisURL: configuration.redisDisplayURL),
                                           jsonPaths: JSONPaths(prefixes: [prefix + "/api/"], paths: [prefix + "/metrics"]),
                                           page: ErrorPage.renderer(renderer)))
    router.add(middleware: CSRFMiddleware(apiPrefix: prefix + "/api/", signer: signer))
    let routes = RouteRecorder(prefix.isEmpty ? router.group() : router.group(RouterPath(prefix)), table: table, prefix: prefix)
    DashboardController(workerTables: WorkerTables(workerCache: workerCache, base: prefix), numbers: RefreshingValue(freshFor: 1) { try await .read(client) },
                        renderer: renderer, live: live).addRoutes(to: routes)
    WorkerController(client: client, renderer: renderer).addRoutes(to: routes)
    TasksController(client: client, renderer: renderer).addRoutes(to: routes)
    TaskController(client: client, renderer: renderer).addRoutes(to: routes)
    QueuesController(client: client, renderer: renderer).addRoutes(to: routes)
    RateLimitsController(client: client, renderer: renderer).addRoutes(to: routes)
    SchedulesController(client: client, renderer: renderer).addRoutes(to: routes)
    ProcessesController(runner: configuration.runnerSocket.map(RunnerConnection.init), renderer: renderer).addRoutes(to: routes)
    WorkersAPI(client: client, workerCache: workerCache).addRoutes(to: routes)
    TasksAPI(client: client).addRoutes(to: routes)
    SchedulesAPI(client: client).addRoutes(to: routes)
    OperationsController(client: client, workerCache: workerCache, metrics: metrics).addRoutes(to: routes)
    try StaticFiles(directory: configuration.staticDirectory, names: ["monitor.css", "monitor.js"]).addRoutes(to: routes)
    let tail = EventTail(client: eventClient, metrics: metrics, live: live, logger: logger)
    return Application(router: router, configuration: .init(address: .hostname(configuration.address, port: configuration.port)),
                       services: [tail], logger: logger)
}
