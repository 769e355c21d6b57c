import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache
import PetalWeb
import Petal

/// Builds the greeter's web app from its dependencies (tests build it with their own Redis).
public func buildGreeterApplication(configuration: GreeterConfiguration, client: PetalClient,
                                    logger: Logger = Logger(label: "greeter.web")) async throws -> some ApplicationProtocol {
    let templates = try await Templates.load(directory: configuration.templatesDirectory)
    let router = Router(options: .autoGenerateHeadEndpoints)
    let table = RouteTable()
    router.add(middleware: AllowedHostsMiddleware(hosts: AllowedHosts(configuration.allowedHosts, listeningOn: configuration.address)))
    router.add(middleware: NoSniffMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(table: table))
    router.add(middleware: ErrorPageMiddleware(templates: templates))
    router.add(middleware: SameOriginMiddleware())
    router.add(middleware: FileMiddleware(configuration.staticDirectory, searchForIndexHtml: false))
    let cookies = VisitorCookie(secret: configuration.cookieSecret)
    let routes = RouteRecorder(router, table: table)
    GreeterController(client: client, templates: templates, cookies: cookies, queue: configuration.queue, logger: logger).addRoutes(to: routes)
    JobsController(client: client, templates: templates, cookies: cookies).addRoutes(to: routes)
    return Application(router: router, configuration: .init(address: .hostname(configuration.address, port: configuration.port)),
                       logger: logger)
}

/// `X-Content-Type-Options: nosniff` on every answer, JSON and static files included.
struct NoSniffMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return response
    }
}
