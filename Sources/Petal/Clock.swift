import Foundation

/// Timestamps as the protocol writes them: seconds since 1970 with microseconds, as decimal text.
public enum Clock {
    public static func now() -> Double { Date().timeIntervalSince1970 }

    /// "1732300000.123456": fixed six decimals, built without String(format:) (it is slow).
    public static func text(_ seconds: Double) -> String {
        let micros = Int64((seconds * 1_000_000).rounded())
        let whole = micros / 1_000_000
        let fraction = String(micros % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
