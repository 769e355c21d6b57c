/// Which ticks of a due schedule to run now: the pure rule behind petal_schedule_tick's input
/// (docs/PROTOCOL.md, "Schedules"). Every tick from the one due up to now is looked at: ticks at
/// most `lateWindow` seconds old run (each its own job), older ones were missed and follow the
/// schedule's policy; the next run is the first tick after now.
public enum ScheduleTicks {
    /// How late a tick may run and still count as on time (a busy worker, a short Redis outage).
    public static let lateWindow = 5.0
    /// Most on-time ticks run by one call (a 1-second schedule after a 5-second stall runs all).
    static let mostOnTime = 10
    /// Most due ticks looked at; beyond, the schedule has been missed for a long time anyway.
    static let mostLooked = 10_000

    public struct Plan: Sendable, Equatable {
        /// The ticks to enqueue a job for, oldest first.
        public var runs: [Double]
        /// The first tick after now; nil when the timing never fires again.
        public var next: Double?

        public init(runs: [Double], next: Double?) {
            self.runs = runs
            self.next = next
        }
    }

    public static func plan(due: Double, timing: ScheduleTiming, missed: MissedTicks, now: Double) -> Plan {
        var onTime: [Double] = []
        var latestMissed: Double?
        var tick: Double? = due
        var looked = 0
        if case .every(let interval) = timing, now - due > lateWindow {
            // Arithmetic, not a walk: the latest tick at least `lateWindow` old, then the rest.
            let step = Double(interval.seconds)
            let lastMissed = ((now - lateWindow) / step).rounded(.down) * step
            if lastMissed >= due {
                if now - lastMissed > lateWindow {
                    latestMissed = lastMissed
                    tick = interval.next(after: lastMissed)
                } else {
                    tick = lastMissed
                }
            }
        }
        while let current = tick, current <= now, looked < mostLooked {
            if now - current > lateWindow { latestMissed = current } else { onTime.append(current) }
            looked += 1
            tick = timing.next(after: current)
        }
        var runs = Array(onTime.suffix(mostOnTime))
        if missed == .runOnce, let latestMissed { runs.insert(latestMissed, at: 0) }
        return Plan(runs: runs, next: timing.next(after: now))
    }
}
