import Foundation

/// application/x-www-form-urlencoded bodies: `a=1&b=two+words`, percent-decoded. Never throws:
/// a malformed pair is skipped, so bad input gives a validation message, not a 500.
public enum FormBody {
    /// The fields by name; when a name repeats, the last value wins.
    public static func parse(_ text: String) -> [String: String] {
        Dictionary(pairs(text), uniquingKeysWith: { $1 })
    }

    /// Every name=value pair in order, repeated names kept (checkbox lists).
    public static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(parts[0]), !key.isEmpty else { return nil }
            return (key, parts.count > 1 ? decode(parts[1]) ?? "" : "")
        }
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
