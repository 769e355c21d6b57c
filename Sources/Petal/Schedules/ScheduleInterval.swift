import Foundation

/// A fixed interval: `every 30s`, `every 5m`, `every 2h`, `every 1d` (the word `every` optional).
/// Runs fall on whole multiples of the interval since 1970 (UTC), so every worker computes the
/// same ticks and a redefinition does not shift them: `every 5m` runs at :00, :05, :10…
public struct ScheduleInterval: Sendable, Hashable {
    public let seconds: Int
    /// The longest interval: a year.
    public static let longest = 366 * 86400

    public init(seconds: Int) throws(ScheduleError) {
        guard seconds >= 1, seconds <= Self.longest else {
            throw .invalidInterval(text: "\(seconds)s", reason: "must be 1 second to 366 days")
        }
        self.seconds = seconds
    }

    /// Parses `every 30s` or `30s`; units s, m, h, d.
    public init(parsing text: String) throws(ScheduleError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.lowercased().hasPrefix("every") { rest = rest.dropFirst(5).drop { $0 == " " } }
        let shown = String(text.prefix(40))
        guard let unit = rest.last, let scale = ["s": 1, "m": 60, "h": 3600, "d": 86400][unit.lowercased()] else {
            throw .invalidInterval(text: shown, reason: "expected a whole number and a unit s, m, h or d, as in 'every 30s'")
        }
        let digits = rest.dropLast()
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(digits) else {
            throw .invalidInterval(text: shown, reason: "expected a whole number before the unit, as in 'every 30s'")
        }
        guard count >= 1, count <= Self.longest / scale else {
            throw .invalidInterval(text: shown, reason: "must be 1 second to 366 days")
        }
        seconds = count * scale
    }

    /// `every 30s`, `every 5m`: the largest unit that divides the interval.
    public var text: String {
        for (unit, scale) in [("d", 86400), ("h", 3600), ("m", 60)] where seconds % scale == 0 {
            return "every \(seconds / scale)\(unit)"
        }
        return "every \(seconds)s"
    }

    /// The first tick strictly after `after`.
    public func next(after: Double) -> Double {
        let step = Double(seconds)
        return ((after / step).rounded(.down) + 1) * step
    }
}
