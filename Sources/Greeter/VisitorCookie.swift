import Foundation
import Hummingbird
import PetalWeb

/// The visitor's group: a random id in an HttpOnly, SameSite cookie, signed with HMAC-SHA-256
/// under the greeter's secret so a visitor cannot claim another's job list by editing it, and a
/// cookie from one deployment (another secret) is a new visitor on the next.
public struct VisitorCookie: Sendable {
    public static let name = "greeter_visitor"
    private let signer: MessageSigner

    public init(secret: String) { signer = MessageSigner(secret: secret) }

    /// "<id>.<signature hex>"
    public func issue(_ visitor: String) -> String { signer.sign(visitor) }

    /// The visitor id when the cookie value carries a valid signature.
    public func verify(_ value: String) -> String? { signer.verify(value) }

    /// The request's visitor, or a new one (true) when it has no valid cookie.
    public func visitor(of request: Request) -> (id: String, isNew: Bool) {
        if let value = Self.value(in: request.headers[.cookie]), let visitor = verify(value) { return (visitor, false) }
        return (Self.newVisitorID(), true)
    }

    public func setCookieHeader(_ visitor: String) -> String {
        "\(Self.name)=\(issue(visitor)); Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000"
    }

    public static func newVisitorID() -> String { UUID().uuidString.lowercased() }

    /// The value of our cookie in a Cookie header, if any.
    public static func value(in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0] == name { return pair[1] }
        }
        return nil
    }
}
