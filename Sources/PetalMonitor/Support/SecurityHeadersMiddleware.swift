import HTTPTypes
import Hummingbird
import PetalWeb

/// Headers every answer carries: no framing, no sniffing, no caching of job data, no referrer
/// leaking task ids (HTML pages add their Content-Security-Policy themselves).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = MonitorRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
