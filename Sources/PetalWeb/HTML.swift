import HTTPTypes
import Hummingbird

/// An HTML page as a response: `text/html; charset=utf-8`, never cached. (Its
/// Content-Security-Policy comes from `SecurityHeadersMiddleware`, as every answer's does.)
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
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPResponse.Status {
    /// 507: Redis is full (maxmemory with noeviction), so nothing could be written.
    public static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
