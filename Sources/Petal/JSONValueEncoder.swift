/// Turns any `Encodable` into a `JSONValue`: how a typed task's arguments become kwargs and its
/// result becomes the stored result JSON. It refuses what JSON cannot carry back unchanged (NaN,
/// infinities, integers beyond ±2^53) with an `EncodingError` naming the field, rather than writing
/// `null` or a rounded number that a reader would take for the real one.
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> JSONValue {
        if let json = value as? JSONValue { return json }
        let slot = EncodingSlot()
        try value.encode(to: SlotEncoder(slot: slot, codingPath: []))
        return slot.resolved
    }

    /// The largest integer every JSON reader holds exactly (a double's 53-bit mantissa; RFC 8259 §6).
    public static let exactIntegerLimit: Double = 9_007_199_254_740_992
}

/// One place a value is written: a scalar, or an object or array of further slots.
final class EncodingSlot {
    var scalar: JSONValue?
    var members: [String: EncodingSlot]?
    var items: [EncodingSlot]?

    /// What was written; a value that wrote nothing (a struct without stored properties) is `{}`.
    var resolved: JSONValue {
        if let members { return .object(members.mapValues(\.resolved)) }
        if let items { return .array(items.map(\.resolved)) }
        return scalar ?? .object([:])
    }

    func object() -> EncodingSlot {
        if members == nil { members = [:] }
        return self
    }

    func array() -> EncodingSlot {
        if items == nil { items = [] }
        return self
    }
}

/// The index of an array element in a coding path (`[2]` in an error's path).
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// Scalars checked for what JSON can carry, shared by the three kinds of container.
enum EncodedScalar {
    static func integer<T: BinaryInteger>(_ value: T, at path: [CodingKey]) throws -> JSONValue {
        guard let number = Double(exactly: value), abs(number) <= JSONValueEncoder.exactIntegerLimit else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription:
                "\(value) is beyond ±2^53, the integers JSON numbers carry exactly"))
        }
        return .number(number)
    }

    static func floating(_ value: Double, at path: [CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not a JSON number"))
        }
        return .number(value)
    }
}

struct SlotEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedSlotContainer(slot: slot.object(), codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer { UnkeyedSlotContainer(slot: slot.array(), codingPath: codingPath) }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }
}

struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { slot.scalar = .null }
    mutating func encode(_ value: Bool) throws { slot.scalar = .bool(value) }
    mutating func encode(_ value: String) throws { slot.scalar = .string(value) }
    mutating func encode(_ value: Double) throws { slot.scalar = try EncodedScalar.floating(value, at: codingPath) }
    mutating func encode(_ value: Float) throws { slot.scalar = try EncodedScalar.floating(Double(value), at: codingPath) }
    mutating func encode(_ value: Int) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: Int8) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: Int16) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: Int32) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: Int64) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: UInt) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: UInt8) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: UInt16) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: UInt32) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode(_ value: UInt64) throws { slot.scalar = try EncodedScalar.integer(value, at: codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        // Every member and element comes through here: deeper than JSON readers take (Petal's
        // own included), the value would be stored but never read back.
        guard codingPath.count < JSONText.Reader.maximumDepth else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription:
                "nested more than \(JSONText.Reader.maximumDepth) levels deep, which JSON readers refuse"))
        }
        if let json = value as? JSONValue { slot.scalar = json; return }
        try value.encode(to: SlotEncoder(slot: slot, codingPath: codingPath))
    }
}

struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [CodingKey]

    /// A fresh slot for `key` (a key written twice keeps the last value, as JSONEncoder does).
    private func child(_ key: Key) -> EncodingSlot {
        let child = EncodingSlot()
        slot.members?[key.stringValue] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        var single = SingleSlotContainer(slot: child(key), codingPath: codingPath + [key])
        try single.encode(value)
    }
    // Every scalar goes through the generic method above: its single-value container checks it.

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child(key).object(), codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        UnkeyedSlotContainer(slot: child(key).array(), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> Encoder {
        let key = SuperKey()
        let child = EncodingSlot()
        slot.members?[key.stringValue] = child
        return SlotEncoder(slot: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> Encoder { SlotEncoder(slot: child(key), codingPath: codingPath + [key]) }
}

/// The key `super` a class's superclass is encoded under by default.
struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [CodingKey]
    var count: Int { slot.items?.count ?? 0 }

    private func next() -> (EncodingSlot, [CodingKey]) {
        let child = EncodingSlot()
        let path = codingPath + [IndexKey(count)]
        slot.items?.append(child)
        return (child, path)
    }

    mutating func encodeNil() throws { next().0.scalar = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let (child, path) = next()
        var single = SingleSlotContainer(slot: child, codingPath: path)
        try single.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (child, path) = next()
        return KeyedEncodingContainer(KeyedSlotContainer<NestedKey>(slot: child.object(), codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let (child, path) = next()
        return UnkeyedSlotContainer(slot: child.array(), codingPath: path)
    }

    mutating func superEncoder() -> Encoder {
        let (child, path) = next()
        return SlotEncoder(slot: child, codingPath: path)
    }
}
