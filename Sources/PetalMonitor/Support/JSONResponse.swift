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
        var output = ""
        appendOrdered(pairs, to: &output)
        return output
    }

    /// Writes into one buffer: building a string per member cost a quarter of /api/tasks.
    static func appendOrdered(_ pairs: [(String, JSONValue)], to output: inout String) {
        output += "{"
        for (index, pair) in pairs.enumerated() {
            if index > 0 { output += "," }
            JSONValue.appendJSONString(pair.0, to: &output)
            output += ":"
            pair.1.appendJSON(to: &output)
        }
        output += "}"
    }

    static func text(_ json: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
