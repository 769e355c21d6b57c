import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb

/// Cross-site request forgery protection, in two layers. Every POST (and DELETE) must come from this very
/// origin (scheme, host and port; `SameOrigin`). HTML forms also carry a token that must equal the
/// one in the `petal_csrf` cookie (SameSite=Strict, HttpOnly), and the token is a random nonce
/// signed with the monitor's secret, so a pair an attacker picks (say, a cookie tossed in from a
/// sibling subdomain) is refused. API POSTs have no token: scripts call them.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = MonitorRequestContext
    static let cookieName = "petal_csrf"
    let apiPrefix: String
    let signer: MessageSigner

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        // A token signed before a restart (another secret) is no token: a fresh one is issued.
        let existing = request.cookies[Self.cookieName].map(\.value).flatMap { signer.verify($0) != nil ? $0 : nil }
        context.csrfToken = existing ?? signer.sign(MessageSigner.randomHex(bytes: 16))
        // Every method that changes something (DELETE /api/schedules/{name} too) must come from here.
        if request.method == .post || request.method == .delete || request.method == .put || request.method == .patch {
            if let refusal = SameOrigin.refusal(request) { throw HTTPError(.forbidden, message: refusal) }
        }
        if request.method == .post {
            if !request.uri.path.hasPrefix(apiPrefix) {
                let body = try await request.readBody(limit: 1_048_576)
                let sent = FormBody.parse(String(buffer: body))["csrf"]
                guard let existing, let sent, BasicAuthMiddleware.constantTimeEqual(Array(sent.utf8), Array(existing.utf8)) else {
                    throw HTTPError(.forbidden, message: "The form has expired (missing or wrong CSRF token): reload the page and try again.")
                }
            }
        }
        var response = try await next(request, context)
        // Only pages carry forms; /metrics, the API and static files get no cookie.
        if existing == nil, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(Cookie(name: Self.cookieName, value: context.csrfToken, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }
}
