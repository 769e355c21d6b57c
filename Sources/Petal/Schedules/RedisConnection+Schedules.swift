import Foundation
import PetalRedis

extension RedisConnection {
    /// Due schedules looked at per tick; more wait for the next tick (a fraction of a second).
    static let schedulesPerTick = 100

    /// One schedule tick, as every worker runs it a few times a second: reads which schedules are
    /// due (one ZRANGEBYSCORE; nothing else when none is), reads their timing, decides which
    /// ticks to run (`ScheduleTicks`) and runs them all in one `petal_schedule_tick` call, which
    /// claims each tick so that exactly one job is enqueued per tick whichever workers race.
    /// Returns the jobs enqueued.
    @discardableResult
    public func tickSchedules(keys: Keys, producer: String, now: Double = Clock.now()) throws(RedisError) -> Int {
        let due = try command(["ZRANGEBYSCORE", RedisArgument(keys.schedules), "-inf", RedisArgument(Clock.text(now)), "WITHSCORES",
                               "LIMIT", "0", RedisArgument(Self.schedulesPerTick)]).array ?? []
        guard !due.isEmpty else { return 0 }
        var pairs: [(name: String, score: String)] = []
        for index in stride(from: 0, to: due.count - 1, by: 2) {
            if let name = due[index].string, let score = due[index + 1].string { pairs.append((name, score)) }
        }
        let timings = try pipeline(pairs.map { ["HMGET", RedisArgument(keys.schedule($0.name)), "when", "tz", "missed"] })
        var entries: [ScheduleTickCall.Entry] = []
        var orphans: [String] = [], unreadable: [String] = []
        for (pair, reply) in zip(pairs, timings) {
            // A name without its hash (written by hand: save and remove change both at once) would
            // stay due for ever and crowd out the others: dropped.
            if reply.array?.allSatisfy({ $0.string == nil }) == true { orphans.append(pair.name) }
            let fields = reply.array?.map { $0.string ?? "" } ?? []
            guard fields.count == 3, let dueTime = Double(pair.score) else { continue }
            guard let timing = try? ScheduleTiming(when: fields[0], zone: fields[1]) else {
                // A timing no worker can read (written by hand, a zone this system lacks) would
                // stay due for ever, looked at on every tick: paused, where the monitor and
                // `petal schedule list` show it, and `resume` says what is wrong with it.
                if !orphans.contains(pair.name) { unreadable.append(pair.name) }
                continue
            }
            let plan = ScheduleTicks.plan(due: dueTime, timing: timing, missed: MissedTicks(rawValue: fields[2]) ?? .skip, now: now)
            guard let next = plan.next else { continue }
            entries.append(.init(name: pair.name, due: pair.score, next: next,
                                 runs: plan.runs.map { ($0, UUID().uuidString.lowercased()) }))
        }
        if !orphans.isEmpty { try command(["ZREM", RedisArgument(keys.schedules)] + orphans.map { RedisArgument($0) }) }
        for name in unreadable { _ = try call(SchedulePauseCall(name: name, paused: true), keys: keys, now: now) }
        guard !entries.isEmpty else { return 0 }
        return try call(ScheduleTickCall(producer: producer, entries: entries), keys: keys, now: now).reduce(0) { $0 + max($1, 0) }
    }
}
