/// Conversions of outside numbers to integers that cannot trap. `Int(someDouble)` traps on NaN,
/// infinity and anything beyond ±9.2e18, and every such number can arrive from a query string, a
/// JSON body, a command line or a corrupt Redis field; so input code converts through these.
extension Int {
    /// The value rounded toward zero, or nil when it is not finite or beyond what Int holds.
    public init?(wholePartOf value: Double) {
        guard value.isFinite, value > -9.0e18, value < 9.0e18 else { return nil }
        self.init(value.rounded(.towardZero))
    }

    /// The value rounded toward zero and clamped to Int's range; NaN gives 0. For display of
    /// numbers read back from Redis, where a wrong number must not take a page down.
    public init(saturating value: Double) {
        if value.isNaN { self = 0 } else if value >= 9.0e18 { self = Int.max } else if value <= -9.0e18 { self = Int.min } else {
            self.init(value.rounded(.towardZero))
        }
    }
}

/// Bounds the protocol puts on times, so a timestamp always fits Clock.text's microseconds.
public enum TimeBounds {
    /// The latest moment Petal accepts: 9999-12-31 23:59:59 UTC, in seconds since 1970.
    public static let latestMoment: Double = 253_402_300_799
    /// The longest delay, lifetime or time limit Petal accepts: ten years, in seconds.
    public static let longestInterval: Double = 315_360_000

    /// True when `seconds` is a usable moment (0 through `latestMoment`).
    public static func isMoment(_ seconds: Double) -> Bool { seconds.isFinite && seconds >= 0 && seconds <= latestMoment }

    /// True when `seconds` is a usable interval (0 through `longestInterval`).
    public static func isInterval(_ seconds: Double) -> Bool { seconds.isFinite && seconds >= 0 && seconds <= longestInterval }
}
