import Foundation
import Petal

/// How the monitor writes times, durations and sizes: UTC timestamps, short relative ages.
enum Format {
    /// "2026-11-22 23:41:31" (UTC), or "" for nil.
    static func timestamp(_ seconds: Double?) -> String {
        guard let seconds else { return "" }
        guard TimeBounds.isMoment(seconds) else { return "–" }
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return "\(Int(parts.tm_year) + 1900)-\(two(Int(parts.tm_mon) + 1))-\(two(Int(parts.tm_mday))) "
            + "\(two(Int(parts.tm_hour))):\(two(Int(parts.tm_min))):\(two(Int(parts.tm_sec)))"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    /// `value` with exactly `digits` decimals ("0.50", "12.3"). String(format:) goes through
    /// Foundation's CFString formatting, which was a tenth of a dashboard's time.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return value.isFinite ? String(value) : "–" }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(scaled) }
        let fraction = String(scaled % scale)
        return sign + String(scaled / scale) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// "0.42 s", "3 min 5 s", "2 h 4 min", "3 d 2 h".
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "" }
        if seconds < 10 { return fixed(max(0, seconds), digits: 2) + " s" }
        let whole = Int(saturating: seconds)
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        if whole < 86_400 { return "\(whole / 3600) h \(whole % 3600 / 60) min" }
        return "\(whole / 86_400) d \(whole % 86_400 / 3600) h"
    }

    /// "3 s ago" from a past time.
    static func age(_ seconds: Double?, now: Double) -> String {
        guard let seconds else { return "never" }
        return duration(max(0, now - seconds)) + " ago"
    }

    static func megabytes(_ bytes: Int) -> String { fixed(Double(bytes) / 1_048_576, digits: 1) + " MB" }

    static func loadAverage(_ values: [Double]) -> String { values.map { fixed($0, digits: 2) }.joined(separator: ", ") }

    /// "2026-11-22 23:41" (Flower's received_start format) to seconds since 1970 (UTC); also accepts
    /// the browser's datetime-local "2026-11-22T23:41" and whole seconds since 1970.
    static func parseTime(_ text: String) -> Double? {
        if let seconds = Double(text) { return TimeBounds.isMoment(seconds) ? seconds : nil }
        // YYYY-MM-DD, then optionally [ T]HH:MM and :SS; nothing else.
        let fields = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == "T" || $0 == ":" })
        guard [3, 5, 6].contains(fields.count), fields.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              fields[0].count == 4 else { return nil }
        let numbers = fields.compactMap { Int32($0) }
        guard numbers.count == fields.count else { return nil }
        var parts = tm()
        parts.tm_year = numbers[0] - 1900
        parts.tm_mon = numbers[1] - 1
        parts.tm_mday = numbers[2]
        if numbers.count >= 5 { parts.tm_hour = numbers[3]; parts.tm_min = numbers[4] }
        if numbers.count == 6 { parts.tm_sec = numbers[5] }
        guard numbers[0] >= 1970, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]), parts.tm_hour < 24, parts.tm_min < 60,
              parts.tm_sec < 61 else {
            return nil
        }
        let seconds = Double(timegm(&parts))
        return TimeBounds.isMoment(seconds) ? seconds : nil
    }

    /// The value back as the browser's datetime-local wants it, for a form that keeps its input.
    static func localInput(_ seconds: Double?) -> String {
        guard let seconds else { return "" }
        return String(timestamp(seconds).prefix(16)).replacingOccurrences(of: " ", with: "T")
    }
}
