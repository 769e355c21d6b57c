import HTTPTypes
import Hummingbird

/// An HTML page as a response: `text/html; charset=utf-8`, never cached, with a strict CSP
/// (no inline scripts: the wait page's script is a file under /static).
public struct HTML: ResponseGenerator {
    public let status: HTTPResponse.Status
    public let body: String

    public init(_ body: String, status: HTTPResponse.Status = .ok) {
        self.body = body
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}

extension HTTPResponse.Status {
    /// 507: Redis is full (maxmemory with noeviction), so nothing could be written.
    public static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
