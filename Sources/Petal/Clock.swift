import Foundation

/// Timestamps as the protocol writes them: seconds since 1970 with microseconds, as decimal text.
public enum Clock {
    public static func now() -> Double { Date().timeIntervalSince1970 }

    /// "1732300000.123456": fixed six decimals, built without String(format:) (it is slow).
    /// Seconds outside 0...TimeBounds.latestMoment are clamped into it (callers validate input
    /// first; this only keeps a bad number from trapping).
    public static func text(_ seconds: Double) -> String {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), TimeBounds.latestMoment)
        let micros = Int64((bounded * 1_000_000).rounded())
        let whole = micros / 1_000_000
        let fraction = String(micros % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
