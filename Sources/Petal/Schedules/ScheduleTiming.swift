import Foundation

/// When a schedule runs: a cron expression in a time zone, or a fixed interval.
public enum ScheduleTiming: Sendable, Hashable {
    case cron(CronExpression, zone: TimeZone)
    case every(ScheduleInterval)

    /// Reads the stored or typed form: `every …` is an interval, anything else a cron expression
    /// (in `zone`, an IANA name; UTC when nil or empty).
    public init(when: String, zone: String?) throws(ScheduleError) {
        let trimmed = when.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("every") {
            if let zone, !zone.isEmpty, zone != "UTC" {
                throw .invalidField("a time zone applies to cron expressions, not to intervals ('\(trimmed.prefix(40))')")
            }
            self = .every(try ScheduleInterval(parsing: trimmed))
        } else {
            self = .cron(try CronExpression(trimmed), zone: try Self.zone(named: zone ?? ""))
        }
    }

    /// An IANA time zone; "" is UTC.
    public static func zone(named name: String) throws(ScheduleError) -> TimeZone {
        if name.isEmpty || name == "UTC" { return TimeZone(identifier: "UTC")! }
        // Only IANA names: TimeZone also takes abbreviations and offsets ("EST", "GMT+1"), which
        // carry no DST rules of their own.
        // tzdata's POSIX-style zones with rules (EST5EDT, CST6CDT…) are IANA names too, though
        // Foundation does not list them.
        let posixStyle = name.utf8.count == 7 && name.unicodeScalars.enumerated().allSatisfy { index, scalar in
            index == 3 ? ("0"..."9").contains(scalar) : ("A"..."Z").contains(scalar)
        }
        guard name.utf8.count <= 100, TimeZone.knownTimeZoneIdentifiers.contains(name) || posixStyle, let zone = TimeZone(identifier: name) else {
            throw .unknownTimeZone(String(name.prefix(100)))
        }
        return zone
    }

    /// The stored form of the timing: the cron expression or `every 30s`.
    public var when: String {
        switch self {
        case .cron(let expression, _): return expression.text
        case .every(let interval): return interval.text
        }
    }

    /// The time zone's IANA name ("UTC" for intervals).
    public var zoneName: String {
        switch self {
        // Foundation on Linux calls UTC "GMT"; the zone a user gave as UTC shows as UTC.
        case .cron(_, let zone): return zone.identifier == "GMT" ? "UTC" : zone.identifier
        case .every: return "UTC"
        }
    }

    /// The first run strictly after `after`; nil for a cron expression that never fires again.
    public func next(after: Double) -> Double? {
        switch self {
        case .cron(let expression, let zone): return CronClock(expression, zone: zone).next(after: after)
        case .every(let interval): return interval.next(after: after)
        }
    }
}
