import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), as Vixie cron reads
/// it: `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and weekday names
/// (`jan`, `mon`), 7 for Sunday, and the aliases `@yearly` (`@annually`), `@monthly`, `@weekly`,
/// `@daily` (`@midnight`), `@hourly`. When both day fields are restricted a day matches either
/// (cron's rule). Matching is on local wall-clock time; `CronClock` turns it into moments in a zone.
public struct CronExpression: Sendable, Hashable {
    /// The expression as given (trimmed), for display.
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    static let aliases = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                          "@hourly": "0 * * * *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses `text`; throws `ScheduleError.invalidCron` saying which field is wrong and why.
    public init(_ text: String) throws(ScheduleError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        self.text = trimmed
        guard trimmed.utf8.count <= 200 else { throw .invalidCron(text: String(trimmed.prefix(40)), reason: "longer than 200 characters") }
        let expanded: String
        if trimmed.hasPrefix("@") {
            guard let alias = Self.aliases[trimmed.lowercased()] else {
                throw .invalidCron(text: trimmed, reason: "unknown alias (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)")
            }
            expanded = alias
        } else {
            expanded = trimmed
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw .invalidCron(text: trimmed, reason: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        func field(_ index: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0) throws(ScheduleError) -> Set<Int> {
            do {
                return try Self.parseField(fields[index], range: range, names: names, nameBase: nameBase)
            } catch let reason {
                throw .invalidCron(text: trimmed, reason: "\(name) field '\(fields[index].prefix(40))': \(reason.text)")
            }
        }
        minutes = try field(0, "minute", 0...59)
        hours = try field(1, "hour", 0...23)
        days = try field(2, "day-of-month", 1...31)
        months = try field(3, "month", 1...12, names: Self.monthNames, nameBase: 1)
        // 7 is Sunday too.
        weekdays = Set(try field(4, "day-of-week", 0...7, names: Self.weekdayNames).map { $0 % 7 })
        daysRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
        // A date that never comes (`0 0 30 2 *`) would leave a schedule that never runs: refused here.
        let everPossible = months.contains { month in days.contains { $0 <= CivilDate.longestMonth(month) } }
        if !everPossible && !weekdaysRestricted {
            throw .invalidCron(text: trimmed, reason: "no such day in those months: it would never run")
        }
    }

    struct FieldError: Error { let text: String }

    /// One field: a comma list of `*`, `n`, `a-b`, each with an optional `/step`.
    static func parseField(_ field: String, range: ClosedRange<Int>, names: [String], nameBase: Int) throws(FieldError) -> Set<Int> {
        func value(_ text: Substring) throws(FieldError) -> Int {
            if let index = names.firstIndex(of: text.lowercased()) { return index + nameBase }
            guard !text.isEmpty, text.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text) else {
                throw FieldError(text: "'\(text.prefix(20))' is not a number\(names.isEmpty ? "" : " or a name")")
            }
            guard range.contains(number) else { throw FieldError(text: "\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
            return number
        }
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw FieldError(text: "an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw FieldError(text: "more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                let stepText = pieces[1]
                guard !stepText.isEmpty, stepText.count <= 4, stepText.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(stepText) else {
                    throw FieldError(text: "step '\(stepText.prefix(20))' is not a number")
                }
                guard n >= 1, n <= range.upperBound else { throw FieldError(text: "step \(n) must be 1 to \(range.upperBound)") }
                step = n
            }
            let base = pieces[0]
            var low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw FieldError(text: "range \(low)-\(high) runs backwards") }
            } else {
                low = try value(base)
                // `5/15` means from 5 to the end in steps of 15, as in Vixie cron.
                high = pieces.count == 2 ? range.upperBound : low
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }

    /// Whether a local date matches the day fields (either of them when both are restricted).
    func matchesDay(_ date: CivilDate) -> Bool {
        guard months.contains(date.month) else { return false }
        let dayOK = days.contains(date.day), weekdayOK = weekdays.contains(date.weekday)
        if daysRestricted && weekdaysRestricted { return dayOK || weekdayOK }
        return dayOK && weekdayOK
    }
}

/// A proleptic Gregorian calendar date counted in days since 1970-01-01 (Howard Hinnant's
/// algorithms), so wall-clock arithmetic needs no Calendar and no zone.
struct CivilDate: Hashable {
    let year: Int
    let month: Int
    let day: Int

    init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    init(daysSince1970 z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    var weekday: Int { ((daysSince1970 % 7) + 7 + 4) % 7 }

    static func longestMonth(_ month: Int) -> Int { [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] }
}
