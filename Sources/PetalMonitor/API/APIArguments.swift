import Foundation
import Hummingbird
import Petal
import PetalWeb

/// The arguments of an API call, from the query string and a JSON or form body (Flower's clients
/// send either). A malformed body or value is a 400 naming the field and what it may be.
struct APIArguments: Sendable {
    private(set) var values: [String: JSONValue] = [:]

    static func read(_ request: Request) async throws -> APIArguments {
        var arguments = APIArguments()
        for (key, value) in request.formQuery { arguments.values[key] = .string(value) }
        var request = request
        let body = String(buffer: try await request.readBody(limit: 1_048_576))
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return arguments }
        if request.headers[.contentType]?.hasPrefix("application/json") == true || trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            let parsed: JSONValue
            do {
                parsed = try JSONValue(parsing: trimmed)
            } catch {
                throw HTTPError(.badRequest, message: "the body is \(error)")
            }
            guard let object = parsed.objectValue else { throw HTTPError(.badRequest, message: "the body must be a JSON object") }
            arguments.values.merge(object) { $1 }
        } else {
            for (key, value) in FormBody.parse(body) { arguments.values[key] = .string(value) }
        }
        return arguments
    }

    /// The value when it is text (nil when absent or empty); a number, list, object or true/false
    /// where text belongs is a 400 naming the field, not read as something else.
    func text(_ name: String) throws(HTTPError) -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        default: throw HTTPError(.badRequest, message: "\(name) must be text, not \(values[name]?.jsonText.prefix(40) ?? "")")
        }
    }

    /// Refuses fields a call does not take (a 400 naming them), so a misspelt or unsupported
    /// field is never silently ignored.
    func only(_ names: Set<String>, hint: String = "") throws(HTTPError) {
        let unknown = values.keys.filter { !names.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw HTTPError(.badRequest, message: "unknown field\(unknown.count > 1 ? "s" : "") \(unknown.map { "'\($0.prefix(40))'" }.joined(separator: ", "))"
                            + "; this call takes \(names.sorted().joined(separator: ", "))\(hint)")
        }
    }

    /// The value as text: a string as it is, a number as written (whole numbers without ".0").
    func string(_ name: String) -> String? {
        switch values[name] {
        case .string(let text)?: return text.isEmpty ? nil : text
        case .number(let number)?: return Int(exactly: number).map(String.init) ?? String(number)
        case .bool(let flag)?: return String(flag)
        default: return nil
        }
    }

    func int(_ name: String, default fallback: Int? = nil, range: ClosedRange<Int>) throws(HTTPError) -> Int {
        guard let text = string(name) else {
            if let fallback { return fallback }
            throw HTTPError(.badRequest, message: "\(name) is required")
        }
        guard let value = Int(text), range.contains(value) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.prefix(40))'")
        }
        return value
    }

    /// A number of seconds from 0 to `maximum` (ten years unless said otherwise).
    func seconds(_ name: String, maximum: Double = TimeBounds.longestInterval) throws(HTTPError) -> Double? {
        guard let text = string(name) else { return nil }
        // Decimal only: Double("0x10") is 16, which nobody writing "0x10" for seconds meant.
        let decimal = text.utf8.allSatisfy { (48...57).contains($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        guard decimal, let value = Double(text), value.isFinite, value >= 0, value <= maximum else {
            throw HTTPError(.badRequest, message: "\(name) must be a number of seconds from 0 to \(Int(saturating: maximum)), not '\(text.prefix(40))'")
        }
        return value
    }

    func bool(_ name: String) throws(HTTPError) -> Bool {
        guard let text = string(name)?.lowercased() else { return false }
        switch text {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw HTTPError(.badRequest, message: "\(name) must be true or false, not '\(text.prefix(40))'")
        }
    }

    /// A JSON value: as sent in a JSON body, or JSON text in a form field or query parameter
    /// (`args=[1,2]`), as Flower's clients send either.
    func json(_ name: String) throws(HTTPError) -> JSONValue? {
        guard case .string(let text)? = values[name] else { return values[name] }
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw HTTPError(.badRequest, message: "\(name) is \(error)")
        }
    }

    /// True when the caller sent `name` at all, even empty.
    func has(_ name: String) -> Bool { values[name] != nil }
}
