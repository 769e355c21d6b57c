import Foundation
import PropertyBased

/// Generated input as users and attackers send it: numbers that are huge, negative, non-finite or
/// not numbers; `+` and `%`-encodings (valid, truncated, and of bytes that are not UTF-8); `@`,
/// `/`, quotes, markup, non-ASCII, NUL; search syntax; very long runs. Property tests build their
/// inputs from these pieces, mixed with random characters.
public enum HostileInput {
    /// ASCII letters and digits: `CharacterSet.alphanumerics` would leave é and 日 unencoded.
    public static let asciiAlphanumerics = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    public static let atoms: [String] = [
        "inf", "-inf", "Infinity", "nan", "NaN", "1e309", "-1e309", "1e19", "99999999999999999999", "9223372036854775807",
        "-9223372036854775808", "0", "-1", "1.5", "0x10", "+", "%", "%2", "%2B", "%20", "%FF", "%C3%28", "%E2%82", "%00", "%zz",
        "%25", "@", "/", "%2F", "%40", "?", "#", "&", "=", ";", ",", ".", "..", " ", "\t", "\n", "é", "日本", "🌸", "\u{0}",
        "'", "\"", "\\", "<script>", "</td>", "{{x}}", "a b", "state:FAILURE", "state:", "name:", "args:", "kwargs:x=1",
        "result:", "(", ")", "OR", "\"quoted phrase", "2026-11-30 23:00", "2026-11-30+23:00", "2026-11-30T23:00",
        "9999-12-31 23:59", "10000-01-01 00:00", "1969-12-31 23:59", "2026-02-30 25:61", "petal-802@vm", "video.hi-res_2",
        "[", "]", "{", "}", "[1,2]", "{\"a\":1}", "null", "true",
    ]

    /// A string of one to five pieces: hostile atoms, random ASCII, random scalars, raw `%XX`
    /// bytes, or a long run.
    public static let text = Generator<String, Shrink.None<String>>(run: { rng in
        var result = ""
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5: result += atoms.randomElement(using: &rng)!
            case 5: result += String((0..<Int.random(in: 0...12, using: &rng)).map { _ in Character(Unicode.Scalar(UInt8.random(in: 32...126, using: &rng))) })
            case 6: result += String(String.UnicodeScalarView((0..<Int.random(in: 1...4, using: &rng)).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2FFFF, using: &rng)) }))
            case 7: result += "%" + String(format: "%02X", Int.random(in: 0...255, using: &rng))
            case 8: result += String(repeating: atoms.randomElement(using: &rng)!, count: Int.random(in: 50...400, using: &rng))
            default: result += String(Int.random(in: Int.min...Int.max, using: &rng))
            }
        }
        return result
    })

    /// `text` percent-encoded for a query string or form as a client might (or might not) encode it.
    public static let queryValue = Generator<String, Shrink.None<String>>(run: { rng in
        let raw = text.run(using: &rng)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return raw.addingPercentEncoding(withAllowedCharacters: asciiAlphanumerics) ?? raw
        case 1: return raw.replacingOccurrences(of: " ", with: "+").addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=#"))) ?? raw
        default:  // as typed: only what would break the URL itself is escaped
            return raw.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=#%"))) ?? raw
        }
    })

    /// A path segment, encoded as a link would be (or with raw bytes left in).
    public static let pathSegment = Generator<String, Shrink.None<String>>(run: { rng in
        let raw = text.run(using: &rng)
        let encoded = raw.addingPercentEncoding(withAllowedCharacters: asciiAlphanumerics) ?? "x"
        return Bool.random(using: &rng) ? encoded : encoded.replacingOccurrences(of: "%25", with: "%")
    })

    /// JSON-ish text: valid documents with hostile values, truncations, and non-JSON numbers.
    public static let jsonText = Generator<String, Shrink.None<String>>(run: { rng in
        let value = atoms.randomElement(using: &rng)!
        let quoted = "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        let number = ["1e309", "-1e309", "1e19", "NaN", "Infinity", "-0", "1.5e-400", "99999999999999999999", "0.1", "-7"].randomElement(using: &rng)!
        let depth = Int.random(in: 0...700, using: &rng)
        let candidates = [
            "{\"args\":[\(number)],\"kwargs\":{\"x\":\(quoted)}}", "{\"n\":\(number)}", "{\"countdown\":\(number),\"expires\":\(quoted)}",
            "{\"args\":\(quoted)}", "[\(number)]", String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
            "{\"a\":" + String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth + 1),
            "{\"args\":[1,2]", "{\"id\":\(quoted),\"args\":[]}", "{\"max_retries\":\(number)}", "{\"eta\":\(quoted)}", value,
        ]
        return candidates.randomElement(using: &rng)!
    })
}
