import HTTPTypes
import Hummingbird
import Logging
import Petal

/// Turns every error into an answer a person or a script can use, the same way in both web apps
/// (`ErrorReport` says which status and words): JSON `{"error": …}` on the app's JSON paths, the
/// app's error page elsewhere. Never a 500 with internals, never an error past it.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Renders the app's error page (its own template and layout).
    public typealias Page = @Sendable (ErrorReport, Request, Context) throws -> Response

    let audience: ErrorAudience
    let jsonPaths: JSONPaths
    let page: Page

    public init(audience: ErrorAudience, jsonPaths: JSONPaths, page: @escaping Page) {
        self.audience = audience
        self.jsonPaths = jsonPaths
        self.page = page
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let report = ErrorReport(error, audience: audience)
            if report.isFault {
                context.logger.error("unexpected error: \(error)")
            } else if report.status.code >= 500 {
                context.logger.warning("\(request.method) \(request.uri.path): \(error)")
            }
            return answer(report, request, context)
        }
    }

    func answer(_ report: ErrorReport, _ request: Request, _ context: Context) -> Response {
        var response: Response
        if jsonPaths.contains(request.uri.path) {
            response = JSONResponse.object(["error": .string(report.message)], status: report.status)
        } else {
            do {
                response = try page(report, request, context)
            } catch {
                context.logger.error("the error page could not be rendered: \(error)")
                response = Self.plainPage(report)
            }
        }
        for field in report.headers where response.headers[field.name] == nil { response.headers.append(field) }
        if report.retrying { response.headers[.retryAfter] = "5" }
        return response
    }

    /// A page without the app's templates, for when rendering those failed too.
    static func plainPage(_ report: ErrorReport) -> Response {
        let escape = UTF8HTMLEscaping()
        let html = "<!doctype html><meta charset=\"utf-8\"><title>\(escape.escapeText(report.heading))</title>"
            + "<h1>\(escape.escapeText(report.heading))</h1><p id=\"message\">\(escape.escapeText(report.message))</p>\n"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: report.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// The paths whose errors are JSON (an app's API), by prefix or exactly.
public struct JSONPaths: Sendable {
    let prefixes: [String]
    let paths: Set<String>

    public init(prefixes: [String] = [], paths: [String] = []) {
        self.prefixes = prefixes
        self.paths = Set(paths)
    }

    public func contains(_ path: String) -> Bool {
        paths.contains(path) || prefixes.contains { path.hasPrefix($0) }
    }
}
