import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb

/// Cross-site request forgery protection. HTML forms carry the token that is also in the
/// `petal_csrf` cookie (SameSite=Strict, HttpOnly); a POST whose `csrf` field differs is refused.
/// API POSTs have no token (scripts call them) but are refused when a browser marks them
/// cross-site (`Sec-Fetch-Site`) or their Origin is another host.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = MonitorRequestContext
    static let cookieName = "petal_csrf"
    let apiPrefix: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let existing = Self.cookieToken(request.headers[.cookie])
        context.csrfToken = existing ?? Self.newToken()
        if request.method == .post {
            if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" || site == "same-site" {
                throw HTTPError(.forbidden, message: "Cross-site requests are refused.")
            }
            if let origin = request.headers[.origin], let host = request.head.authority,
               URL(string: origin)?.host.map({ !host.hasPrefix($0) }) ?? true {
                throw HTTPError(.forbidden, message: "Requests from another origin are refused.")
            }
            if !request.uri.path.hasPrefix(apiPrefix) {
                let body = try await request.collectBody(upTo: 1_048_576)
                let sent = FormBody.parse(String(buffer: body))["csrf"]
                guard let existing, let sent, BasicAuthMiddleware.constantTimeEqual(Array(sent.utf8), Array(existing.utf8)) else {
                    throw HTTPError(.forbidden, message: "The form has expired (missing or wrong CSRF token): reload the page and try again.")
                }
            }
        }
        var response = try await next(request, context)
        if existing == nil {
            response.headers.append(HTTPField(name: .setCookie, value: "\(Self.cookieName)=\(context.csrfToken); Path=/; HttpOnly; SameSite=Strict"))
        }
        return response
    }

    static func cookieToken(_ header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == cookieName, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit) {
                return String(parts[1])
            }
        }
        return nil
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
