import Hummingbird
import Mustache
import PetalWeb

/// The greeter's error page (Templates/greeter/error), which `ErrorMiddleware` shows for any
/// error outside the JSON routes.
struct ErrorPage: Sendable {
    let status: Int
    let heading: String
    let message: String

    /// The page renderer `ErrorMiddleware` calls.
    static func renderer(templates: MustacheLibrary) -> ErrorMiddleware<BasicRequestContext>.Page {
        { report, request, context in
            let page = ErrorPage(status: Int(report.status.code), heading: report.heading, message: report.message)
            guard let html = templates.render(page, withTemplate: "greeter/error") else {
                throw HTTPError(.internalServerError, message: "missing template greeter/error")
            }
            return try HTML(html, status: report.status).response(from: request, context: context)
        }
    }
}
