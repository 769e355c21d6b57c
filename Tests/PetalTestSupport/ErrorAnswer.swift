import Foundation
import Petal

/// What both web apps' error answers must be, checked from outside: `{"error": …}` on a JSON
/// path, else a page with its `<p id="message">`; the security headers every answer carries; and
/// nothing of the code behind it. Returns what is wrong (empty when nothing is).
public enum ErrorAnswer {
    public static func problems(_ reply: RealClient.Reply, json: Bool, mustNotShow: [String] = []) -> [String] {
        var problems: [String] = []
        let type = reply.headers["content-type"] ?? ""
        if json {
            if !type.hasPrefix("application/json") { problems.append("Content-Type \(type), not JSON") }
            if (try? JSONValue(parsing: reply.body))?["error"]?.stringValue?.isEmpty != false { problems.append("no \"error\" in \(reply.body.prefix(200))") }
        } else {
            if !type.hasPrefix("text/html") { problems.append("Content-Type \(type), not HTML") }
            if (try? HTMLDocument(reply.body))?.text("//p[@id='message']")?.isEmpty != false { problems.append("no message in \(reply.body.prefix(200))") }
        }
        problems += securityHeaderProblems(reply.headers)
        for leak in [".swift", "Swift.", "HTTPError(", "PetalError"] + mustNotShow where reply.body.contains(leak) {
            problems.append("the body shows \(leak)")
        }
        return problems
    }

    /// The headers `SecurityHeadersMiddleware` puts on every answer (lower-cased names).
    public static func securityHeaderProblems(_ headers: [String: String]) -> [String] {
        let expected = ["x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"]
        var problems = expected.compactMap { name, value in headers[name] == value ? nil : "\(name): \(headers[name] ?? "none")" }
        if headers["content-security-policy"]?.contains("script-src 'self'") != true { problems.append("no Content-Security-Policy") }
        return problems
    }
}
