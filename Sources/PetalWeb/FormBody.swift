import Foundation

/// application/x-www-form-urlencoded text: `a=1&b=two+words`, as browsers' GET forms, POST forms
/// and every HTTP library (`requests`, curl --data-urlencode) write it. The same decoding serves
/// bodies and query strings. Never throws and never drops a byte: a malformed `%zz` stays as
/// written and invalid UTF-8 becomes U+FFFD, so bad input reaches validation and gets a message.
public enum FormBody {
    /// The fields by name; when a name repeats, the last value wins.
    public static func parse(_ text: String) -> [String: String] {
        Dictionary(pairs(text), uniquingKeysWith: { $1 })
    }

    /// Every name=value pair in order, repeated names kept (checkbox lists).
    public static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0], plusIsSpace: true)
            guard !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? decode(parts[1], plusIsSpace: true) : "")
        }
    }

    /// Percent-decodes `text`; `plusIsSpace` for form encoding (query strings and form bodies),
    /// not for path segments, where `+` is a plus.
    public static func decode(_ text: some StringProtocol, plusIsSpace: Bool) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
