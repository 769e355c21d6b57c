import HTTPTypes
import Hummingbird
import PetalWeb
import Mustache

/// Turns errors into pages a visitor can read (404, 400, 503), or JSON for the JSON routes.
/// Anything unexpected becomes a 500 page without details.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let templates: MustacheLibrary

    struct ErrorPage: Sendable {
        let status: Int
        let title: String
        let message: String
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            return try page(request, context: context, status: error.status, message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("unexpected error: \(error)")
            return try page(request, context: context, status: .internalServerError, message: "Something went wrong on our side.")
        }
    }

    private func page(_ request: Request, context: Context, status: HTTPResponse.Status, message: String) throws -> Response {
        if request.uri.path.hasPrefix("/status/") || request.uri.path == "/healthz" {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = "{\"error\":\(JSONString.quote(message))}"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let title = status == .notFound ? "Not found" : status == .serviceUnavailable ? "Try again soon" : "Sorry"
        let html = templates.render(ErrorPage(status: Int(status.code), title: title, message: message), withTemplate: "greeter/error")
            ?? "<!doctype html><title>\(status.code)</title><p>\(status.reasonPhrase)</p>"
        return try HTML(html, status: status).response(from: request, context: context)
    }
}

import Petal

enum JSONString {
    static func quote(_ text: String) -> String { JSONValue.string(text).jsonText }
}
