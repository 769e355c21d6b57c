/// Reads any `Decodable` from a `JSONValue`: how a worker turns stored kwargs into a typed task's
/// arguments and a client turns a stored result into the task's result type. Every refusal is a
/// `DecodingError` whose path names the field and whose description says what was expected and
/// what was there (`expected Int, got "ten"`); `CodingFailure` renders it as one line.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, codingPath: []).decode(type)
    }
}

/// The text of a value in an error: short, so a megabyte of kwargs cannot flood a job's exception.
enum ShownValue {
    static func text(_ value: JSONValue) -> String {
        let text = value.jsonText
        return text.count <= 60 ? text : text.prefix(57) + "…"
    }

    static func name(_ type: Any.Type) -> String { String(describing: type) }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [CodingKey]
    /// The type being read, to name it when its container is the wrong kind ("expected Address, got 5").
    /// Named only then: a type's name costs more than the rest of decoding a small struct.
    var expected: Any.Type?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, codingPath: [CodingKey]) {
        self.value = value
        self.codingPath = codingPath
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self, let value = value as? T { return value }
        var typed = self
        typed.expected = type
        return try T(from: typed)
    }

    func mismatch(_ type: Any.Type, _ expected: String, _ note: String = "") -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), got \(ShownValue.text(value))\(note)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, expected.map { "\(ShownValue.name($0)) (an object)" } ?? "an object") }
        return KeyedDecodingContainer(KeyedValueContainer(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, expected.map { "\(ShownValue.name($0)) (an array)" } ?? "an array") }
        return UnkeyedValueContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueContainer(decoder: self) }
}

struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = decoder.value else { throw decoder.mismatch(type, "Bool") }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = decoder.value else { throw decoder.mismatch(type, "String") }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let number) = decoder.value else { throw decoder.mismatch(type, "Double") }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float {
        guard case .number(let number) = decoder.value else { throw decoder.mismatch(type, "Float") }
        let narrowed = Float(number)
        guard narrowed.isFinite else { throw decoder.mismatch(type, "Float", " (out of range)") }
        return narrowed
    }

    /// A whole number within ±2^53 (beyond that a JSON number may already have been rounded) and
    /// within the type's range.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .number(let number) = decoder.value else { throw decoder.mismatch(type, ShownValue.name(type)) }
        guard number.rounded() == number else { throw decoder.mismatch(type, ShownValue.name(type), " (not a whole number)") }
        guard abs(number) <= JSONValueEncoder.exactIntegerLimit, let whole = T(exactly: number) else {
            throw decoder.mismatch(type, ShownValue.name(type), " (out of range)")
        }
        return whole
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}

struct KeyedValueContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    /// True for a missing key as for null: `decodeIfPresent` reads both as nil.
    func decodeNil(forKey key: Key) throws -> Bool { (members[key.stringValue] ?? .null) == .null }

    private func member(_ key: Key, _ type: Any.Type) throws -> ValueDecoder {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "expected \(ShownValue.name(type)), got nothing"))
        }
        return ValueDecoder(value: value, codingPath: codingPath + [key])
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(key, type).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try member(key, [String: JSONValue].self).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try member(key, [JSONValue].self).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { ValueDecoder(value: members["super"] ?? .null, codingPath: codingPath + [SuperKey()]) }

    func superDecoder(forKey key: Key) throws -> Decoder { ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]) }
}

struct UnkeyedValueContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [CodingKey]
    private(set) var currentIndex = 0

    init(items: [JSONValue], codingPath: [CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next(_ type: Any.Type) throws -> ValueDecoder {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path,
                debugDescription: "expected \(ShownValue.name(type)), got nothing (the array has \(items.count) items)"))
        }
        defer { currentIndex += 1 }
        return ValueDecoder(value: items[currentIndex], codingPath: path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: JSONValue].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next([JSONValue].self).unkeyedContainer() }

    mutating func superDecoder() throws -> Decoder { try next(JSONValue.self) }
}
