import HTTPTypes
import Hummingbird
import Petal

/// JSON answers, never cached. Objects whose key order matters (Flower's task lists) are written
/// from pairs. (`SecurityHeadersMiddleware` adds `nosniff` to them as to every answer.)
public enum JSONResponse {
    public static func object(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        text(value.jsonText, status: status)
    }

    /// `{"k1": v1, "k2": v2}` in the order given.
    public static func ordered(_ pairs: [(String, JSONValue)], status: HTTPResponse.Status = .ok) -> Response {
        text(orderedText(pairs), status: status)
    }

    public static func orderedText(_ pairs: [(String, JSONValue)]) -> String {
        var writer = JSONWriter()
        writer.write(object: pairs)
        return writer.text
    }

    public static func text(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        response(ByteBuffer(string: json), status: status)
    }

    /// A document written with `JSONWriter`, sent without a detour through String.
    public static func written(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
        response(ByteBuffer(bytes: writer.bytes), status: status)
    }

    private static func response(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
