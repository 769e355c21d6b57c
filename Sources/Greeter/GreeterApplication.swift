import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Mustache
import PetalWeb
import Petal

/// Builds the greeter's web app from its dependencies (tests build it with their own Redis).
/// The pages are served by one router; `/ws` is upgraded to a WebSocket by a second one (see
/// `SocketController`), and the socket's job notices come from one shared subscription (the hub).
public func buildGreeterApplication(configuration: GreeterConfiguration, client: PetalClient,
                                    logger: Logger = Logger(label: "greeter.web")) async throws -> some ApplicationProtocol {
    try await buildGreeterApplication(configuration: configuration, client: client, hub: GroupNoticeHub(client: client), logger: logger)
}

/// The app around a given hub (`runGreeterWeb` keeps it, to close the sockets before the server stops).
func buildGreeterApplication(configuration: GreeterConfiguration, client: PetalClient, hub: GroupNoticeHub,
                             logger: Logger) async throws -> some ApplicationProtocol {
    let templates = try await Templates.load(directory: configuration.templatesDirectory)
    let router = Router(options: .autoGenerateHeadEndpoints)
    let table = RouteTable()
    let allowedHosts = AllowedHosts(configuration.allowedHosts, listeningOn: configuration.address)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: AllowedHostsMiddleware(hosts: allowedHosts))
    router.add(middleware: MethodNotAllowedMiddleware(table: table))
    router.add(middleware: ErrorMiddleware(audience: .visitors, jsonPaths: JSONPaths(prefixes: ["/status/"], paths: ["/healthz"]),
                                           page: ErrorPage.renderer(templates: templates)))
    router.add(middleware: SameOriginMiddleware())
    router.add(middleware: FileMiddleware(configuration.staticDirectory, searchForIndexHtml: false))
    let cookies = VisitorCookie(secret: configuration.cookieSecret)
    let routes = RouteRecorder(router, table: table)
    let records = JobRecordBatcher(client: client)
    GreeterController(client: client, records: records, templates: templates, cookies: cookies, queue: configuration.queue).addRoutes(to: routes)
    JobsController(client: client, templates: templates, cookies: cookies).addRoutes(to: routes)
    let socket = SocketController(client: client, cookies: cookies, queue: configuration.queue, hub: hub,
                                  records: records, limits: configuration.socketLimits)
    socket.addRoutes(to: routes)
    // Frames up to 64 KiB are read, so a message over the 16 KiB limit still gets its error reply
    // before the close; a bigger frame is closed at once by the WebSocket layer (1009).
    let upgrades = HTTP1WebSocketUpgradeChannel.Configuration(
        ws: .init(maxFrameSize: max(65_536, configuration.socketLimits.messageBytes), autoPing: .enabled(timePeriod: .seconds(30))))
    let webSocketResponder = socket.webSocketRouter(allowedHosts: allowedHosts).buildResponder()
    return Application(router: router,
                       server: HTTPServerBuilder { responder in
                           ScreenedUpgradeChannel(upgrade: HTTP1WebSocketUpgradeChannel(
                               responder: responder, webSocketResponder: webSocketResponder, configuration: upgrades))
                       },
                       configuration: .init(address: .hostname(configuration.address, port: configuration.port)),
                       services: [hub], logger: logger)
}
