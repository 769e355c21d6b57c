import Foundation
import Petal
import PetalTestSupport
import PropertyBased
import Testing

/// The schedule parsers take text from the CLI and the monitor: whatever they are given, they
/// answer a value or a `ScheduleError` with a reason, never a trap, and a next run after now.
@Suite("Schedule parser properties")
struct ScheduleParserPropertyTests {
    static let cronPieces = ["*", "*/0", "*/5", "0", "59", "60", "1-5", "5-1", "1,2", ",", "jan", "MON", "sun-sat", "7", "-1", "99999999999999999999",
                             "1/0", "/", "//", "@hourly", "@", "é", "日", "\u{0}", "", " ", "\t", "*/99999"]

    static let cronText = Generator<String, Shrink.None<String>>(run: { rng in
        if Bool.random(using: &rng) { return HostileInput.text.run(using: &rng) }
        let count = Int.random(in: 0...7, using: &rng)
        return (0..<count).map { _ in cronPieces.randomElement(using: &rng)! }.joined(separator: " ")
    })

    @Test func cronNeverTrapsAndAlwaysFindsALaterRun() async {
        await propertyCheck(count: 500, input: Self.cronText) { text in
            do {
                let expression = try CronExpression(text)
                let now = 1_795_000_000.0
                if let next = CronClock(expression, zone: TimeZone(identifier: "Europe/Berlin")!).next(after: now) {
                    #expect(next > now, "'\(text)'")
                }
            } catch let error as ScheduleError {
                #expect(!error.description.isEmpty)
            } catch {
                Issue.record("'\(text)': \(error) is not a ScheduleError")
            }
        }
    }

    @Test func intervalsAndZonesNeverTrap() async {
        await propertyCheck(count: 500, input: HostileInput.text) { text in
            if let interval = try? ScheduleInterval(parsing: text) {
                #expect((1...ScheduleInterval.longest).contains(interval.seconds), "'\(text)'")
                #expect(interval.next(after: 1_795_000_000) > 1_795_000_000)
            }
            if let interval = try? ScheduleInterval(parsing: "every " + text) { #expect(interval.seconds >= 1) }
            _ = try? ScheduleTiming.zone(named: text)
            _ = try? ScheduleRequest(name: text, task: text, args: text, kwargs: text, queue: text, cron: text, timeZone: text, missed: text).definition()
        }
    }
}
