import Foundation
import Hummingbird
import PetalWeb

/// The visitor's group: a random id in an HttpOnly, SameSite cookie, signed with HMAC-SHA-256
/// (swift-crypto, through `MessageSigner`) under the greeter's secret, so a visitor cannot claim
/// another's job list by editing it, and a cookie from one deployment (another secret) is a new
/// visitor on the next. Read and written with Hummingbird's cookie API.
public struct VisitorCookie: Sendable {
    public static let name = "greeter_visitor"
    /// A year: the job list is the visitor's for as long as history keeps their jobs.
    static let maxAge = 31_536_000
    private let signer: MessageSigner

    public init(secret: String) { signer = MessageSigner(secret: secret) }

    /// The request's visitor, or a new one (true) when it has no cookie with a valid signature.
    public func visitor(of request: Request) -> (id: String, isNew: Bool) {
        if let value = request.cookies[Self.name]?.value, let visitor = signer.verify(value) { return (visitor, false) }
        return (Self.newVisitorID(), true)
    }

    /// The cookie that names `visitor`: "<id>.<signature as 64 hex digits>".
    public func cookie(for visitor: String) -> Cookie {
        Cookie(name: Self.name, value: signer.sign(visitor), maxAge: Self.maxAge, path: "/", httpOnly: true, sameSite: .lax)
    }

    public static func newVisitorID() -> String { UUID().uuidString.lowercased() }
}
