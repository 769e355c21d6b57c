import HTTPTypes
import Hummingbird
import PetalWeb
import Petal

/// JSON answers. Objects whose key order matters (Flower's task lists) are written from pairs.
enum JSONResponse {
    static func object(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        text(value.jsonText, status: status)
    }

    /// `{"k1": v1, "k2": v2}` in the order given.
    static func ordered(_ pairs: [(String, JSONValue)], status: HTTPResponse.Status = .ok) -> Response {
        text(orderedText(pairs), status: status)
    }

    static func orderedText(_ pairs: [(String, JSONValue)]) -> String {
        "{" + pairs.map { JSONValue.string($0.0).jsonText + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
    }

    static func text(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
