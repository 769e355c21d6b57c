import Foundation
import Hummingbird
import Logging
import Mustache
import PetalWeb
import Petal

/// Builds the greeter's web app from its dependencies (tests build it with their own Redis).
public func buildGreeterApplication(configuration: GreeterConfiguration, client: PetalClient,
                                    logger: Logger = Logger(label: "greeter.web")) async throws -> some ApplicationProtocol {
    let templates = try await Templates.load(directory: configuration.templatesDirectory)
    let router = Router()
    router.add(middleware: ErrorPageMiddleware(templates: templates))
    router.add(middleware: FileMiddleware(configuration.staticDirectory, searchForIndexHtml: false))
    let cookies = VisitorCookie(secret: configuration.cookieSecret)
    GreeterController(client: client, templates: templates, cookies: cookies, queue: configuration.queue, logger: logger).addRoutes(to: router)
    JobsController(client: client, templates: templates, cookies: cookies).addRoutes(to: router)
    return Application(router: router, configuration: .init(address: .hostname(configuration.address, port: configuration.port)),
                       logger: logger)
}
