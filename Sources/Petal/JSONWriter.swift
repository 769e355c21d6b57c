/// Writes compact JSON text into bytes. Appending bytes costs a fraction of appending to a String
/// (which re-checks capacity, count and ASCII flags on every append), and big documents (the
/// monitor's task list: 100 jobs of 30 fields) are mostly appends.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Punctuation or text already in JSON form, written as it is.
    public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): raw(flag ? "true" : "false")
        case .number(let number): write(number: number)
        case .string(let text): write(string: text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            // Keys sorted so the same value always gives the same text.
            write(object: members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }

    /// `{"k1":v1,"k2":v2}` with the members in the order given.
    public mutating func write(object members: [(String, JSONValue)]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(string: member.0)
            bytes.append(UInt8(ascii: ":"))
            write(member.1)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Whole numbers without a fraction; NaN and infinities (not JSON) as null.
    public mutating func write(number: Double) {
        guard number.isFinite else { return raw("null") }
        if number.rounded() == number && abs(number) < 1e15 { return raw(String(Int64(number))) }
        raw(String(number))
    }

    /// A string literal: quoted, with quotes, backslashes and control characters escaped.
    public mutating func write(string text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: checked and copied whole, not byte by byte.
        var text = text
        let plain = text.withUTF8 { utf8 in
            guard utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)  // UTF-8 sequences pass through whole
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
