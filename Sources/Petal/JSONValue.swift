import Foundation

/// Any JSON value: task arguments, keyword arguments and results travel as JSON text.
public enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int(saturating: value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text; throws `JSONValue.ParseError` with the reason when it is not JSON.
    public init(parsing text: String) throws {
        if text == "[]" { self = .array([]); return }
        if text == "{}" { self = .object([:]); return }
        var reader = JSONText.Reader(text)
        guard let value = reader.document() else { throw ParseError(text: text, reason: reader.failure) }
        self = value
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        /// A specific reason ("too deeply nested …", "the number 1e309 is out of range"), when known.
        public let reason: String?
        public init(text: String, reason: String? = nil) {
            self.text = text
            self.reason = reason
        }
        public var description: String {
            if let reason { return "not valid JSON: \(reason)" }
            return "not valid JSON: \(text.prefix(200))"
        }
    }

    /// Compact JSON text with sorted keys (stable for tests and diffs).
    public var jsonText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.text
    }

    public var description: String { jsonText }

    public var stringValue: String? { if case .string(let value) = self { return value } else { return nil } }
    public var doubleValue: Double? { if case .number(let value) = self { return value } else { return nil } }
    /// The number when it is whole and fits an Int (nil for 2.5, 1e300 or a non-number).
    public var intValue: Int? { doubleValue.flatMap { $0.rounded() == $0 ? Int(wholePartOf: $0) : nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { return value } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { return value } else { return nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let value) = self { return value } else { return nil } }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements) { $1 }) }
    public init(nilLiteral: ()) { self = .null }
}
