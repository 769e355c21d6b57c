import Petal

/// The socket's wire format (docs/API.md, "The greeter's WebSocket"): one JSON object per text
/// message. The browser sends `{"id": <number>, "call": "<function>", "args": {…}}`; the server
/// answers with the same id and `result` or `error`, and pushes `event` notices without an id.
struct SocketCall: Sendable, Equatable {
    /// Echoed back as sent (any JSON number), so the page can match answers that arrive out of order.
    let id: JSONValue
    let function: String
    let args: [String: JSONValue]

    init(id: JSONValue, function: String, args: [String: JSONValue] = [:]) {
        self.id = id
        self.function = function
        self.args = args
    }

    /// Reads one message; a message that is not a call throws a `SocketCallError` carrying
    /// whatever id could be read, so even a bad call gets an answer the page can match.
    init(text: String) throws(SocketCallError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            // The reason, short, never the message itself: a bad message is not echoed back.
            let reason = (error as? JSONValue.ParseError)?.reason.map { " (\($0.prefix(100)))" } ?? ""
            throw SocketCallError(id: .null, code: .badMessage, message: "A message must be a JSON object; this one is not valid JSON\(reason).")
        }
        guard let object = value.objectValue else {
            throw SocketCallError(id: .null, code: .badMessage, message: "A message must be a JSON object.")
        }
        guard let id = object["id"], case .number = id else {
            throw SocketCallError(id: .null, code: .badMessage, message: "A call needs a number \"id\".")
        }
        guard let function = object["call"]?.stringValue, !function.isEmpty else {
            throw SocketCallError(id: id, code: .badMessage, message: "A call needs a function name in \"call\".")
        }
        let args = object["args"] ?? .object([:])
        guard let fields = args.objectValue else {
            throw SocketCallError(id: id, code: .badArguments, message: "\"args\" must be an object.")
        }
        self.id = id
        self.function = function
        self.args = fields
    }
}

/// Why a call got no result: a code for programs, a message for people. It never closes the
/// socket by itself; only the limits (`tooManyCalls`, `tooManySockets`, `messageTooLarge`) are followed by a close.
struct SocketCallError: Error, Sendable, Equatable {
    enum Code: String, Sendable {
        case badMessage = "bad_message"
        case unknownFunction = "unknown_function"
        case badArguments = "bad_arguments"
        case notFound = "not_found"
        case unavailable = "unavailable"
        case full = "queue_full"
        case tooManyCalls = "too_many_calls"
        case tooManySockets = "too_many_sockets"
        case messageTooLarge = "message_too_large"
        case internalError = "internal"
    }

    var id: JSONValue = .null
    let code: Code
    let message: String
    /// Per-field messages for bad arguments (as the form shows beside each field).
    var fields: [String: String] = [:]

    init(id: JSONValue = .null, code: Code, message: String, fields: [String: String] = [:]) {
        self.id = id
        self.code = code
        self.message = message
        self.fields = fields
    }
}

/// What the server sends, as JSON text.
enum SocketReply {
    static func result(_ id: JSONValue, _ value: JSONValue) -> String {
        JSONValue.object(["id": id, "result": value]).jsonText
    }

    static func error(_ failure: SocketCallError) -> String {
        var error: [String: JSONValue] = ["code": .string(failure.code.rawValue), "message": .string(failure.message)]
        if !failure.fields.isEmpty { error["fields"] = .object(failure.fields.mapValues(JSONValue.string)) }
        return JSONValue.object(["id": failure.id, "error": .object(error)]).jsonText
    }

    /// `{"event": "job", "job": {…}}`: one of the visitor's jobs changed.
    static func jobEvent(_ job: JSONValue) -> String {
        JSONValue.object(["event": "job", "job": job]).jsonText
    }

    /// `{"event": "snapshot", "jobs": […]}`: the whole list, on connect and after Redis reconnects.
    static func snapshot(_ jobs: [JSONValue]) -> String {
        JSONValue.object(["event": "snapshot", "jobs": .array(jobs)]).jsonText
    }
}
