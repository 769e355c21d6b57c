import Foundation

/// When a cron expression next fires in a time zone. Matching is on local wall-clock time; a wall
/// time the zone skips (spring forward) fires once, at the moment the gap ends, and a wall time it
/// repeats (fall back) fires once, at its first occurrence (docs/API.md, "Schedules").
public struct CronClock: Sendable {
    public let expression: CronExpression
    public let zone: TimeZone

    public init(_ expression: CronExpression, zone: TimeZone) {
        self.expression = expression
        self.zone = zone
    }

    /// How far ahead a next run is looked for: long enough for a 29 February that falls on a given weekday.
    static let searchDays = 366 * 30

    /// The first moment strictly after `after` (seconds since 1970) at which the expression fires,
    /// or nil when none comes within the search horizon.
    public func next(after: Double) -> Double? {
        guard after.isFinite, abs(after) < 1e11 else { return nil }
        let start = Int((after + Double(offset(at: after))).rounded(.down))
        // The first whole wall-clock minute after the moment's own wall time.
        let firstWall = (start.floorDivided(by: 60) + 1) * 60
        let firstDay = firstWall.floorDivided(by: 86400)
        let firstMinuteOfDay = (firstWall - firstDay * 86400) / 60
        let hours = expression.hours.sorted(), minutes = expression.minutes.sorted()
        for day in firstDay..<(firstDay + Self.searchDays) {
            let date = CivilDate(daysSince1970: day)
            guard expression.matchesDay(date) else { continue }
            for hour in hours {
                for minute in minutes {
                    if day == firstDay && hour * 60 + minute < firstMinuteOfDay { continue }
                    let moment = Double(resolve(wall: day * 86400 + hour * 3600 + minute * 60))
                    if moment > after { return moment }
                }
            }
        }
        return nil
    }

    /// The next `count` runs after `after`.
    public func upcoming(after: Double, count: Int) -> [Double] {
        var runs: [Double] = []
        var from = after
        while runs.count < count, let run = next(after: from) {
            runs.append(run)
            from = run
        }
        return runs
    }

    private func offset(at moment: Double) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: moment)) }

    /// The moment of a local wall time (seconds since 1970 as if the wall clock were UTC): its only
    /// occurrence, its first when the zone repeats it, the end of the gap when the zone skips it.
    func resolve(wall: Int) -> Int {
        let before = offset(at: Double(wall - 14 * 3600)), after = offset(at: Double(wall + 14 * 3600))
        let valid = Set([before, after]).filter { offset(at: Double(wall - $0)) == $0 }
        if let largest = valid.max() { return wall - largest }  // the larger offset is the earlier moment
        // Skipped: the gap lies between the two readings; find where the later offset begins.
        var low = wall - before, high = wall - after
        if low > high { swap(&low, &high) }
        let target = offset(at: Double(high))
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: Double(middle)) == target { high = middle } else { low = middle }
        }
        return high
    }
}

extension Int {
    /// Division rounding towards minus infinity (times before 1970 included).
    func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
