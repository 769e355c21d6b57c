import Foundation

/// How often a task may start, in Celery's syntax: `10/s`, `100/m`, `1000/h`, or a bare number
/// (per second). Fractions work (`0.5/s`, one run every two seconds). There is no burst: runs are
/// spaced evenly, one every `interval` seconds, as Celery's token bucket of capacity 1 spaces them.
///
/// `0` or empty text means "no limit": `RateLimit.parse` returns nil for it.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Runs per `unit`, at least `smallestCount`, at most `largestCount`, to three decimals.
    public let count: Double
    public let unit: Unit

    public enum Unit: String, Sendable, CaseIterable {
        case second = "s", minute = "m", hour = "h"
        public var seconds: Double {
            switch self {
            case .second: 1
            case .minute: 60
            case .hour: 3600
            }
        }
    }

    public static let smallestCount = 0.001
    public static let largestCount = 1_000_000.0

    public init(count: Double, per unit: Unit) throws(RateLimitError) {
        guard count.isFinite, count >= Self.smallestCount, count <= Self.largestCount else {
            throw RateLimitError(text: "\(count)/\(unit.rawValue)", reason: Self.rangeReason)
        }
        self.count = (count * 1000).rounded() / 1000
        self.unit = unit
    }

    /// Reads Celery's syntax. Nil for `0`, `0/m` or empty text (no limit); throws for anything else
    /// that is not a rate, saying what a rate looks like.
    public static func parse(_ text: String) throws(RateLimitError) -> RateLimit? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let shown = String(trimmed.unicodeScalars.prefix(40).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        if trimmed.isEmpty { return nil }
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let unit = parts.count == 1 ? .second : Unit(rawValue: String(parts[1])) else {
            throw RateLimitError(text: shown, reason: "the unit after / must be s, m or h, as in 10/s, 100/m or 1000/h")
        }
        let digits = parts[0]
        // Digits with at most one point, a digit on each side: no signs, exponents, spaces, inf or nan.
        let pieces = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !digits.isEmpty, digits.count <= 60, pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let count = Double(digits) else {
            throw RateLimitError(text: shown, reason: "expected a number of runs, then /s, /m or /h, as in 10/s, 100/m or 1000/h (0 removes the limit)")
        }
        if count == 0 { return nil }
        guard count >= smallestCount, count <= largestCount else { throw RateLimitError(text: shown, reason: rangeReason) }
        // Three decimals at most (trailing zeros aside): Redis stores the count as written.
        guard pieces.count == 1 || pieces[1].reversed().drop(while: { $0 == "0" }).count <= 3 else {
            throw RateLimitError(text: shown, reason: "at most three decimals")
        }
        return try RateLimit(count: count, per: unit)
    }

    static let rangeReason = "the count must be from 0.001 to 1000000"

    /// Seconds between two runs.
    public var interval: Double { unit.seconds / count }

    /// `10/s`, `0.5/m`: the text stored in Redis and shown everywhere (the count without a trailing `.0`).
    public var description: String {
        var number = String(format: "%.3f", count)
        while number.hasSuffix("0") { number.removeLast() }
        if number.hasSuffix(".") { number.removeLast() }
        return "\(number)/\(unit.rawValue)"
    }
}

/// A rate limit that is not one, with what was given and why.
public struct RateLimitError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "invalid rate limit '\(text)': \(reason)" }
}
