import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import PetalWorker
import Testing

/// Periodic schedules run by real workers on a real Redis: exactly one job per tick whichever
/// workers race, the missed-tick policies, the code API's reconcile, and the CLI.
@Suite("Schedules", .serialized)
struct ScheduleWorkerTests {
    let server: RedisServer
    let client: PetalClient
    let redis: RedisClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 4)
        redis = RedisClient(configuration: server.configuration, poolSize: 4)
    }

    /// The jobs a schedule enqueued, read from the task index and their records.
    func jobs(of schedule: String, task: String = "noop") async throws -> [JobRecord] {
        let ids = try await redis.command(["ZRANGE", RedisArgument(client.keys.jobs(task: task)), "0", "-1"]).array?.compactMap(\.string) ?? []
        return try await client.jobs(ids).compactMap { $0 }.filter { $0.schedule == schedule }
    }

    @Test func threeWorkersRunAScheduleEverySecondOncePerTick() async throws {
        try await client.saveSchedule(ScheduleDefinition(name: "tick", task: "noop", timing: .every(try ScheduleInterval(seconds: 1))), origin: "cli")
        var workers: [WorkerProcess] = []
        for _ in 0..<3 { workers.append(try await WorkerProcess(redis: server, concurrency: 1)) }
        try await Task.sleep(for: .seconds(20))
        try await client.pauseSchedule("tick")
        for worker in workers { worker.stop() }
        let jobs = try await jobs(of: "tick")
        var byTick: [Double: Int] = [:]
        for job in jobs { byTick[job.scheduleTick ?? -1, default: 0] += 1 }
        #expect(byTick.values.allSatisfy { $0 == 1 }, "ticks run more than once: \(byTick.filter { $0.value > 1 })")
        #expect(byTick.keys.allSatisfy { $0 == $0.rounded() && $0 > 0 }, "every tick is a whole second: \(byTick.keys.sorted())")
        #expect(byTick.count >= 10, "only \(byTick.count) ticks ran in 20 s")
        // Every worker took part in the race (each ticks 4 times a second), and each tick has its claim.
        let claims = try await redis.command(["KEYS", RedisArgument(client.keys.prefix + ":schedules:claim:tick:*")]).array?.count ?? 0
        #expect(claims == byTick.count)
        let record = try #require(try await client.schedule(named: "tick"))
        #expect(record.lastJob != nil && jobs.contains { $0.id == record.lastJob })
    }

    /// Many callers ticking the same due schedule at the same moment: one job.
    @Test func racingTicksEnqueueOneJob() async throws {
        let now = Clock.now()
        // Saved a minute ago: its tick is due now (late, so `run_once` decides it runs).
        try await client.saveSchedule(ScheduleDefinition(name: "race", task: "noop", timing: .every(try ScheduleInterval(seconds: 60)), missed: .runOnce),
                                      origin: "cli", now: now - 61)
        let keys = client.keys
        let enqueued = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask { [redis] in
                    try await redis.withConnection { connection throws(RedisError) in
                        try connection.tickSchedules(keys: keys, producer: "racer-\(index)", now: now)
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(enqueued == 1)
        #expect(try await jobs(of: "race").count == 1)
        // A name left in the set without its hash is dropped by the next tick, not looked at for ever.
        _ = try await redis.command(["ZADD", RedisArgument(keys.schedules), "0", "orphan"])
        _ = try await redis.withConnection { connection throws(RedisError) in try connection.tickSchedules(keys: keys, producer: "racer") }
        #expect(try await redis.command(["ZSCORE", RedisArgument(keys.schedules), "orphan"]).string == nil)
        let record = try #require(try await client.schedule(named: "race"))
        #expect(record.next.map { $0 > now } == true)
    }

    /// A stored timing no worker can read (a zone this system lacks, written by hand) is paused by
    /// the next tick instead of staying due for ever, and resuming it says what is wrong.
    @Test func anUnreadableTimingIsPausedAndResumeSaysWhy() async throws {
        let now = Clock.now()
        try await client.saveSchedule(ScheduleDefinition(name: "broken", task: "noop", timing: .every(try ScheduleInterval(seconds: 60))),
                                      origin: "cli", now: now - 61)
        _ = try await redis.command(["HSET", RedisArgument(client.keys.schedule("broken")), "when", "30 2 * * *", "tz", "Mars/Olympus_Mons"])
        let keys = client.keys
        let enqueued = try await redis.withConnection { connection throws(RedisError) in try connection.tickSchedules(keys: keys, producer: "t", now: now) }
        #expect(enqueued == 0)
        #expect(try await client.schedule(named: "broken")?.paused == true)
        let error = await #expect(throws: PetalError.self) { try await client.resumeSchedule("broken") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("Mars/Olympus_Mons"), "\(String(describing: error))")
    }

    /// Workers stopped over two ticks and more: `skip` runs none of the missed ticks, `run_once`
    /// one job for the latest. A tick at most `ScheduleTicks.lateWindow` late is on time either way.
    @Test func missedTicksWhileNoWorkerRan() async throws {
        let every3s = ScheduleTiming.every(try ScheduleInterval(seconds: 3))
        try await client.saveSchedule(ScheduleDefinition(name: "skipper", task: "noop", timing: every3s, missed: .skip), origin: "cli")
        try await client.saveSchedule(ScheduleDefinition(name: "catcher", task: "noop", timing: every3s, missed: .runOnce), origin: "cli")
        let first = try await WorkerProcess(redis: server, concurrency: 1)
        try await Eventually.wait("both schedules ran", timeout: 20) {
            let skipper = try await jobs(of: "skipper"), catcher = try await jobs(of: "catcher")
            return !skipper.isEmpty && !catcher.isEmpty
        }
        first.stop()
        let stoppedAt = Clock.now()
        try await Task.sleep(for: .seconds(ScheduleTicks.lateWindow + 3 * 2 + 1))
        let second = try await WorkerProcess(redis: server, concurrency: 1)
        defer { second.stop() }
        try await Eventually.wait("both ran after the restart", timeout: 20) {
            let skipper = try await jobs(of: "skipper"), catcher = try await jobs(of: "catcher")
            return skipper.contains { ($0.sent ?? 0) > stoppedAt } && catcher.contains { ($0.sent ?? 0) > stoppedAt }
        }
        let window = ScheduleTicks.lateWindow
        func late(_ job: JobRecord) -> Double { (job.sent ?? 0) - (job.scheduleTick ?? 0) }
        let skipped = try await jobs(of: "skipper").filter { ($0.sent ?? 0) > stoppedAt }
        #expect(skipped.allSatisfy { late($0) <= window + 1 }, "skip ran a missed tick: \(skipped.map { late($0) })")
        let caught = try await jobs(of: "catcher").filter { ($0.sent ?? 0) > stoppedAt }
        let missedRuns = caught.filter { late($0) > window }
        #expect(missedRuns.count == 1, "run_once: \(caught.map { ($0.scheduleTick ?? 0, late($0)) })")
        if let run = missedRuns.first, let tick = run.scheduleTick, let sent = run.sent {
            #expect(tick == ((sent - window) / 3).rounded(.down) * 3, "the latest missed tick")
            #expect(tick > stoppedAt)
        }
        var ticks: [Double: Int] = [:]
        let all = try await jobs(of: "catcher") + (try await jobs(of: "skipper"))
        for job in all { ticks[(job.scheduleTick ?? 0) * (job.schedule == "catcher" ? 1 : -1), default: 0] += 1 }
        #expect(ticks.values.allSatisfy { $0 == 1 })
    }

    /// Code-defined schedules are reconciled by name at each worker start: a changed one is
    /// replaced, one the code dropped is removed; the CLI's and other applications' stay.
    @Test func codeSchedulesAreReconciledByName() async throws {
        var deploy1 = TaskRegistry()
        deploy1.register("report") { _ in .null }
        try deploy1.schedule("nightly", task: "report", when: "0 3 * * *", timeZone: "Europe/Berlin")
        try deploy1.schedule("often", task: "report", args: [1], when: "every 30s")
        let keys = client.keys
        try await client.saveSchedule(ScheduleDefinition(name: "by hand", task: "report", timing: .every(try ScheduleInterval(seconds: 60))), origin: "cli")
        try await client.saveSchedule(ScheduleDefinition(name: "other app", task: "elsewhere", timing: .every(try ScheduleInterval(seconds: 60))), origin: "code")
        let first = deploy1
        var removed = try await redis.withConnection { connection throws(RedisError) in try ScheduleReconciler.reconcile(first, on: connection, keys: keys) }
        #expect(removed.isEmpty)
        #expect(Set(try await client.schedules().map(\.name)) == ["nightly", "often", "by hand", "other app"])
        let nightly = try #require(try await client.schedule(named: "nightly"))
        #expect(nightly.origin == "code" && nightly.zoneName == "Europe/Berlin" && nightly.when == "0 3 * * *")

        var deploy2 = TaskRegistry()
        deploy2.register("report") { _ in .null }
        try deploy2.schedule("nightly", task: "report", when: "0 4 * * *", timeZone: "Europe/Berlin")
        let second = deploy2
        removed = try await redis.withConnection { connection throws(RedisError) in try ScheduleReconciler.reconcile(second, on: connection, keys: keys) }
        #expect(removed == ["often"])
        #expect(Set(try await client.schedules().map(\.name)) == ["nightly", "by hand", "other app"])
        #expect(try await client.schedule(named: "nightly")?.when == "0 4 * * *")
        #expect(throws: PetalError.self) { try deploy2.schedule("bad", task: "report", when: "*/0 * * * *") }
    }

    @Test func theCommandLineAddsListsPausesResumesRunsAndRemoves() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        let name = "r@port %+/ é 日"
        let url = server.url
        func petal(_ arguments: [String]) async throws -> (code: Int32, output: String, error: String) {
            try await PetalBinary.runOffThePool(["schedule"] + arguments + ["--redis", url])
        }
        let added = try await petal(["add", name, "--task", "add", "--args", "[2,3]", "--cron", "0 9 * * mon", "--tz", "America/New_York"])
        #expect(added.code == 0 && added.output.contains("created"), "\(added)")
        var listed = try JSONValue(parsing: try await petal(["list", "--json"]).output)
        #expect(listed.arrayValue?.first?["name"] == .string(name) && listed.arrayValue?.first?["timezone"] == "America/New_York" && listed.arrayValue?.first?["paused"] == false)

        let ran = try await petal(["run", name])
        #expect(ran.code == 0, "\(ran)")
        let id = ran.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let done = try #require(try await client.wait(for: id, timeout: 30))
        #expect(done.state == .success && done.result == 5 && done.schedule == name)

        #expect(try await petal(["pause", name]).code == 0)
        listed = try JSONValue(parsing: try await petal(["list", "--json"]).output)
        #expect(listed.arrayValue?.first?["paused"] == true && listed.arrayValue?.first?["last_job"] == .string(id))
        #expect(try await petal(["list"]).output.contains("paused"))
        #expect(try await petal(["resume", name]).code == 0)
        #expect(try await client.schedule(named: name)?.paused == false)
        #expect(try await petal(["remove", name]).code == 0)
        #expect(try await client.schedules().isEmpty)
        #expect(try await client.job(id)?.state == .success, "a removed schedule's jobs stay")

        let missing = try await petal(["pause", name])
        #expect(missing.code == 2 && missing.error.contains("no schedule named"))
        let bad = try await petal(["add", "x", "--task", "add", "--cron", "*/0 * * * *"])
        #expect(bad.code == 64 && bad.error.contains("step 0"), "\(bad)")
        let both = try await petal(["add", "x", "--task", "add", "--cron", "* * * * *", "--every", "5s"])
        #expect(both.code == 64 && both.error.contains("not both"), "\(both)")
        let zone = try await petal(["add", "x", "--task", "add", "--cron", "* * * * *", "--tz", "Mars/Base"])
        #expect(zone.code == 64 && zone.error.contains("unknown time zone"), "\(zone)")
    }

    /// A `petal worker` start reconciles its registry: a code schedule of one of its tasks that
    /// its code does not define is removed (the deploy dropped it); the CLI's stays.
    @Test func aWorkerStartRemovesCodeSchedulesItDropped() async throws {
        try await client.saveSchedule(ScheduleDefinition(name: "dropped", task: "noop", timing: .every(try ScheduleInterval(seconds: 3600))), origin: "code")
        try await client.saveSchedule(ScheduleDefinition(name: "kept", task: "noop", timing: .every(try ScheduleInterval(seconds: 3600))), origin: "cli")
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        try await Eventually.wait("the dropped schedule removed", timeout: 10) { try await client.schedule(named: "dropped") == nil }
        #expect(try await client.schedule(named: "kept") != nil)
    }
}
