import Foundation
import Petal
import Testing

/// Cron parsing, next runs in time zones across DST, intervals and the missed-tick rule, on fixed
/// dates (no clock, no Redis).
@Suite("Schedule timing")
struct ScheduleTimingTests {
    /// Seconds since 1970 of a UTC wall time.
    static func utc(_ text: String) -> Double {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text + "Z")!.timeIntervalSince1970
    }

    static func iso(_ seconds: Double) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds)) }

    static func runs(_ cron: String, zone: String, after: String, count: Int) throws -> [String] {
        let clock = CronClock(try CronExpression(cron), zone: try ScheduleTiming.zone(named: zone))
        return clock.upcoming(after: utc(after), count: count).map(iso)
    }

    @Test func fieldsAliasesNamesAndSteps() throws {
        #expect(try Self.runs("*/15 9-10 * * mon-fri", zone: "UTC", after: "2026-12-04T10:40:00", count: 3)
                == ["2026-12-04T10:45:00Z", "2026-12-07T09:00:00Z", "2026-12-07T09:15:00Z"])  // Friday, then Monday
        #expect(try Self.runs("@hourly", zone: "UTC", after: "2026-12-01T06:59:59", count: 2) == ["2026-12-01T07:00:00Z", "2026-12-01T08:00:00Z"])
        #expect(try Self.runs("@monthly", zone: "UTC", after: "2026-12-15T00:00:00", count: 1) == ["2027-01-01T00:00:00Z"])
        #expect(try Self.runs("0 12 * jan,jul 7", zone: "UTC", after: "2026-12-01T00:00:00", count: 1) == ["2027-01-03T12:00:00Z"])  // 7 = Sunday
        // Both day fields restricted: either matches (cron's rule): the 13th, or any Friday.
        #expect(try Self.runs("0 0 13 * fri", zone: "UTC", after: "2026-12-01T00:00:00", count: 3)
                == ["2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z"])
        #expect(try Self.runs("0 0 29 2 *", zone: "UTC", after: "2026-03-01T00:00:00", count: 1) == ["2028-02-29T00:00:00Z"])
        #expect(try Self.runs("5/20 * * * *", zone: "UTC", after: "2026-12-01T00:00:00", count: 3)
                == ["2026-12-01T00:05:00Z", "2026-12-01T00:25:00Z", "2026-12-01T00:45:00Z"])
    }

    /// Europe/Berlin: 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00 UTC); 2026-10-25 03:00 CEST
    /// falls back to 02:00 CET (01:00 UTC). A skipped 02:30 fires once at 03:00; a repeated 02:30 once.
    @Test func berlinAcrossBothTransitions() throws {
        #expect(try Self.runs("30 2 * * *", zone: "Europe/Berlin", after: "2026-03-27T12:00:00", count: 4)
                == ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
        #expect(try Self.runs("30 2 * * *", zone: "Europe/Berlin", after: "2026-10-23T12:00:00", count: 4)
                == ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"])
        // Every quarter hour through the gap: 01:45 CET, then the skipped 02:xx all fire once at 03:00 CEST, then on.
        #expect(try Self.runs("*/15 * * * *", zone: "Europe/Berlin", after: "2026-03-29T00:40:00", count: 3)
                == ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"])
        // Through the repeated hour: 02:xx runs at its first occurrence only.
        #expect(try Self.runs("*/30 * * * *", zone: "Europe/Berlin", after: "2026-10-24T23:40:00", count: 4)
                == ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:30:00Z"])
        // Daily at 09:00 local keeps local time: 08:00 UTC in winter, 07:00 UTC in summer.
        #expect(try Self.runs("0 9 * * *", zone: "Europe/Berlin", after: "2026-03-28T12:00:00", count: 2)
                == ["2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"])
    }

    /// America/New_York: 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT
    /// falls back to 01:00 EST (06:00 UTC).
    @Test func newYorkAcrossBothTransitions() throws {
        #expect(try Self.runs("30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00", count: 3)
                == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"])
        #expect(try Self.runs("30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00", count: 3)
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"])
        // A moment inside the repeated hour's second pass: the next 01:30 is the next day's.
        #expect(try Self.runs("30 1 * * *", zone: "America/New_York", after: "2026-11-01T06:10:00", count: 1) == ["2026-11-02T06:30:00Z"])
    }

    @Test func badCronExpressionsSayWhy() {
        for (text, words) in [("", "expected 5 fields"), ("* * * *", "found 4"), ("60 * * * *", "minute field"), ("*/0 * * * *", "step 0"),
                              ("* * 30 2 *", "never run"), ("@fortnightly", "unknown alias"), ("5-1 * * * *", "backwards"),
                              ("99999999999999999999 * * * *", "not a number"), ("* * * * 8", "outside 0-7"), ("a,,b * * * *", "not a number"),
                              ("1,,2 * * * *", "empty list item"), ("* * * foo *", "not a number or a name"), ("é * * * *", "not a number")] {
            do {
                _ = try CronExpression(text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect(error.description.contains(words), "'\(text)': \(error)")
            }
        }
    }

    @Test func intervalsAndZones() throws {
        #expect(try ScheduleInterval(parsing: "every 30s").seconds == 30)
        #expect(try ScheduleInterval(parsing: "5m").text == "every 5m")
        #expect(try ScheduleInterval(parsing: "every 90m").text == "every 90m")
        #expect(try ScheduleInterval(parsing: "every 120s").text == "every 2m")
        #expect(try ScheduleInterval(parsing: "every 30s").next(after: Self.utc("2026-12-01T00:00:29")) == Self.utc("2026-12-01T00:00:30"))
        #expect(try ScheduleInterval(parsing: "every 30s").next(after: Self.utc("2026-12-01T00:00:30")) == Self.utc("2026-12-01T00:01:00"))
        for text in ["every 0s", "every -5s", "every s", "every 5w", "every 9999999999d", "every 367d", "", "every 1.5m", "every ５s"] {
            #expect(throws: ScheduleError.self, "'\(text)'") { try ScheduleInterval(parsing: text) }
        }
        #expect(throws: ScheduleError.unknownTimeZone("Mars/Olympus")) { try ScheduleTiming.zone(named: "Mars/Olympus") }
        #expect(throws: ScheduleError.self) { try ScheduleTiming(when: "every 5m", zone: "Europe/Berlin") }
        #expect(try ScheduleTiming(when: "0 9 * * *", zone: "Europe/Berlin").zoneName == "Europe/Berlin")
        #expect(try ScheduleTiming(when: "0 9 * * *", zone: "UTC").zoneName == "UTC", "not GMT")
        #expect(try ScheduleTiming(when: "0 9 * * *", zone: nil).zoneName == "UTC")
        #expect(try ScheduleTiming(when: "0 9 * * *", zone: "EST5EDT").zoneName == "EST5EDT", "tzdata's POSIX-style zones have DST rules")
        for abbreviation in ["EST", "GMT+1", "ABC1DEF", "est5edt"] {
            #expect(throws: ScheduleError.self, "\(abbreviation)") { try ScheduleTiming.zone(named: abbreviation) }
        }
    }

    /// On-time ticks run, each its own; ticks more than the late window old were missed: skipped,
    /// or one run for the latest under run_once. The next run is the first tick after now.
    @Test func missedTicksFollowThePolicy() throws {
        let every = ScheduleTiming.every(try ScheduleInterval(seconds: 10))
        let due = Self.utc("2026-12-01T00:00:00")
        // On time (2 s late): runs; next is the tick after now.
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .skip, now: due + 2) == .init(runs: [due], next: due + 10))
        // A 12-second stall: the tick at 0 was missed (12 s old), the one at 10 is on time.
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .skip, now: due + 12) == .init(runs: [due + 10], next: due + 20))
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .runOnce, now: due + 12) == .init(runs: [due, due + 10], next: due + 20))
        // Down for an hour: nothing (skip), or one run for the latest missed tick.
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .skip, now: due + 3607) == .init(runs: [], next: due + 3610))
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .runOnce, now: due + 3607) == .init(runs: [due + 3600], next: due + 3610))
        #expect(ScheduleTicks.plan(due: due, timing: every, missed: .runOnce, now: due + 3604) == .init(runs: [due + 3590, due + 3600], next: due + 3610))
        let cron = ScheduleTiming.cron(try CronExpression("* * * * *"), zone: try ScheduleTiming.zone(named: "UTC"))
        #expect(ScheduleTicks.plan(due: due, timing: cron, missed: .runOnce, now: due + 600) == .init(runs: [due + 540, due + 600], next: due + 660))
        #expect(ScheduleTicks.plan(due: due, timing: cron, missed: .skip, now: due + 63) == .init(runs: [due + 60], next: due + 120))
    }

    @Test func requestsSayWhatIsWrong() throws {
        func refusal(_ request: ScheduleRequest) -> String {
            do {
                _ = try request.definition()
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(refusal(ScheduleRequest(name: "a", task: "t")).contains("either a cron expression or an interval"))
        #expect(refusal(ScheduleRequest(name: "a", task: "t", cron: "* * * * *", every: "5s")).contains("not both"))
        #expect(refusal(ScheduleRequest(name: "a", task: "t", args: "{}", every: "5s")).contains("args must be a JSON array"))
        #expect(refusal(ScheduleRequest(name: "a", task: "t", queue: "a b", every: "5s")).contains("queue name"))
        #expect(refusal(ScheduleRequest(name: "", task: "t", every: "5s")).contains("schedule name"))
        #expect(refusal(ScheduleRequest(name: "a\u{7}", task: "t", every: "5s")).contains("control characters"))
        #expect(refusal(ScheduleRequest(name: "a", task: "t", every: "5s", missed: "sometimes")).contains("skip or run_once"))
        #expect(refusal(ScheduleRequest(name: "a", task: "t", cron: "0 9 * * *", timeZone: "Nowhere/Land")).contains("unknown time zone"))
        let definition = try ScheduleRequest(name: "r@port %+/ é", task: "add", args: "[1,2]", cron: "@daily", timeZone: "Asia/Tokyo",
                                             missed: "run once").definition()
        #expect(definition.missed == .runOnce && definition.timing.zoneName == "Asia/Tokyo")
    }
}
