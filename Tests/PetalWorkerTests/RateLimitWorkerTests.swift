import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Rate limits with real workers on a real Redis: a fleet-wide limit shared by three workers, a
/// worker's own limit, and what changing or removing a limit does to the jobs waiting on it.
/// Bounds are what the limit guarantees (runs spaced by its interval), never the machine's speed.
@Suite("Rate limits with workers", .serialized)
struct RateLimitWorkerTests {
    let server: RedisServer
    let client: PetalClient
    let redis: RedisClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 4)
        redis = RedisClient(configuration: server.configuration, poolSize: 2)
    }

    func waiting(_ task: String) async throws -> Int {
        try await client.rateLimits().first { $0.task == task }?.waiting ?? 0
    }

    /// 10/s across three workers and 200 jobs: the runs start in the order the jobs were enqueued,
    /// the last no sooner than 19.9 s after the first (199 intervals), and another task's jobs,
    /// enqueued behind all 200, are not held up by them.
    @Test func aFleetWideLimitSpreadsTheJobsOfThreeWorkersAndHoldsNoOtherTaskBack() async throws {
        try await client.setRateLimit(try RateLimit.parse("10/s"), for: "noop")
        var workers: [WorkerProcess] = []
        for index in 0..<3 { workers.append(try await WorkerProcess(redis: server, name: "petal-\(900 + index)@vm", concurrency: 2)) }
        defer { for worker in workers { worker.stop() } }
        let limited = try await client.enqueue(many: (0..<200).map { _ in EnqueueRequest(task: "noop") })
        let others = try await client.enqueue(many: (0..<20).map { index in EnqueueRequest(task: "add", args: [.number(Double(index)), 1]) })
        try await Eventually.wait("200 limited jobs done", timeout: 120) {
            try await client.jobs(limited).allSatisfy { $0?.state == .success }
        }
        let records = try await client.jobs(limited).compactMap { $0 }
        let started = records.compactMap(\.started)
        #expect(started.count == 200)
        // The other task's jobs, behind 200 limited ones on the same queue, all ended while most of
        // those still waited (by the records' own times): no child was held by a limited job.
        for id in others { try await Eventually.job(client, id, timeout: 30) }
        let othersDone = try await client.jobs(others).compactMap { $0 }
        #expect(othersDone.count == 20 && othersDone.allSatisfy { $0.state == .success })
        let lastOther = try #require(othersDone.compactMap(\.succeeded).max())
        let sortedStarts = started.sorted()
        #expect(lastOther < sortedStarts[100], "the other task's last job ended \(lastOther - sortedStarts[0]) s after the first limited start, after half of them")
        let span = try #require(started.max()) - (try #require(started.min()))
        #expect(span >= 19.9 - 0.01, "200 runs at 10/s cannot span less than 199 intervals: \(span) s")
        #expect(span < 120)
        // In enqueue order: each slot was reserved as the job left its queue, oldest first (two
        // children's clocks may read a hair apart when both take a due job in the same instant).
        let tooClose = zip(sortedStarts, sortedStarts.dropFirst()).filter { $1 - $0 < 0.1 - 0.005 }
        #expect(tooClose.isEmpty, "\(tooClose.count) starts closer than 0.1 s: \(tooClose.prefix(3))")
        let outOfOrder = zip(started, started.dropFirst()).filter { $1 < $0 - 0.05 }
        #expect(outOfOrder.isEmpty, "\(outOfOrder.count) runs started before an older job's: \(outOfOrder.prefix(3))")
        #expect(Set(records.compactMap(\.worker)).count == 3, "every worker took part")
        let fields = try await redis.command(["HGETALL", RedisArgument(client.keys.job(limited[150]))]).fieldMap
        #expect(fields["rate_slot"] == nil, "a job that ran keeps no slot")
        #expect(try await waiting("noop") == 0)
    }

    /// A limit given with a worker's name binds that worker only; the others run the task freely.
    /// Its limit lives as long as the worker: a new start under the same name has none.
    @Test func aWorkersOwnLimitBindsThatWorkerOnly() async throws {
        let slow = try await WorkerProcess(redis: server, name: "petal-801@vm", concurrency: 2)
        let free = try await WorkerProcess(redis: server, name: "petal-802@vm", concurrency: 1)
        defer { slow.stop(); free.stop() }
        let set = try await PetalBinary.runOffThePool(["control", "rate-limit", "sleep", "2/s", "--worker", slow.name, "--redis", server.url])
        #expect(set.code == 0 && set.output.contains("\(slow.name): new rate limit set successfully"), "\(set)")
        let ids = try await client.enqueue(many: (0..<30).map { _ in EnqueueRequest(task: "sleep", args: [0.05]) })
        for id in ids { try await Eventually.job(client, id, timeout: 60) }
        let records = try await client.jobs(ids).compactMap { $0 }
        #expect(records.allSatisfy { $0.state == .success })
        let onSlow = records.filter { $0.worker == slow.name }.compactMap(\.started).sorted()
        let onFree = records.filter { $0.worker == free.name }
        if onSlow.count > 2 {
            let span = onSlow.last! - onSlow.first!
            #expect(span >= Double(onSlow.count - 2) * 0.5 - 0.01, "\(onSlow.count) runs on \(slow.name) within \(span) s at 2/s")
        }
        #expect(onFree.count > onSlow.count, "the unlimited worker ran most: \(onFree.count) vs \(onSlow.count)")
        let limits = try #require(try await client.rateLimits().first { $0.task == "sleep" })
        let twice = try #require(try RateLimit.parse("2/s"))
        #expect(limits.fleet == nil && limits.workers == [slow.name: twice])
        #expect(try await client.worker(slow.name)?.rateLimits == ["sleep": "2/s"])
        #expect(try await client.worker(free.name)?.rateLimits == [:])

        slow.stop()
        let again = try await WorkerProcess(redis: server, name: slow.name, concurrency: 1)
        defer { again.stop() }
        #expect(try await client.rateLimits().first { $0.task == "sleep" } == nil, "a new start has no limit of its own")
    }

    /// Jobs waiting on a limit that is lowered, raised or removed are planned again at once under
    /// the new one; a waiting job can be revoked, and purging its queue ends it.
    @Test func changingOrRemovingALimitReplansTheJobsWaitingOnIt() async throws {
        let worker = try await WorkerProcess(redis: server, name: "petal-803@vm", concurrency: 2)
        defer { worker.stop() }
        try await client.setRateLimit(try RateLimit.parse("1/m"), for: "add")
        let ids = try await client.enqueue(many: (0..<6).map { index in EnqueueRequest(task: "add", args: [.number(Double(index)), 0]) })
        try await Eventually.job(client, ids[0], timeout: 30)
        try await Eventually.wait("five jobs waiting for their slots") { try await waiting("add") == 5 }
        let status = try #require(try await client.rateLimits().first { $0.task == "add" })
        #expect(status.fleet?.description == "1/m" && status.nextSlot.map { $0 > Clock.now() + 30 } == true, "\(status)")
        #expect(try await client.job(ids[1])?.state == .pending)

        #expect(try await client.revoke(ids[1]) == .revoked)
        #expect(try await waiting("add") == 4)

        let cli = try await PetalBinary.runOffThePool(["control", "rate-limit", "add", "0", "--redis", server.url])
        #expect(cli.code == 0 && cli.output.contains("no fleet-wide rate limit") && cli.output.contains("4 waiting job(s) planned again"), "\(cli)")
        for id in ids[2...] {
            let done = try await Eventually.job(client, id, timeout: 30)
            #expect(done.state == .success, "\(id): \(done.state)")
        }
        #expect(try await client.job(ids[1])?.state == .revoked)

        // Purging a queue ends the jobs waiting on it too.
        try await client.setRateLimit(try RateLimit.parse("1/h"), for: "add")
        let more = try await client.enqueue(many: (0..<4).map { _ in EnqueueRequest(task: "add", args: [1, 1]) })
        try await Eventually.wait("jobs waiting") { try await waiting("add") >= 3 }
        #expect(try await client.purge(queue: "default") >= 3)
        #expect(try await waiting("add") == 0)
        let states = try await client.jobs(more).compactMap { $0?.state }
        #expect(states.filter { $0 == .revoked }.count >= 3, "\(states)")
    }

    /// A limit declared in code (the greeter worker's `--greet-rate-limit` becomes its task's
    /// `TaskOptions(rateLimit:)`): applied at start, a run-time change holds over a restart with
    /// the same declaration, a changed declaration wins, a dropped one removes it, and a text that
    /// is no rate stops the start naming the task.
    @Test func aLimitDeclaredInCodeAppliesWhenItsDeclarationChanges() async throws {
        let task = "greeter.expensive_greet"
        func fleet() async throws -> String? { try await client.rateLimits().first { $0.task == task }?.fleet?.description }
        func start(_ arguments: [String]) async throws -> WorkerProcess {
            try await WorkerProcess(redis: server, program: "greeter", name: "greeter-1@vm", concurrency: 1, extraArguments: arguments)
        }
        var worker = try await start(["--greet-rate-limit", "2/s"])
        #expect(try await fleet() == "2/s")
        try await client.setRateLimit(try RateLimit.parse("30/m"), for: task)
        worker.stop()
        worker = try await start(["--greet-rate-limit", "2/s"])
        #expect(try await fleet() == "30/m", "the run-time change holds while the declaration is the same")
        worker.stop()
        worker = try await start(["--greet-rate-limit", "4/s"])
        #expect(try await fleet() == "4/s")
        worker.stop()
        worker = try await start([])
        #expect(try await fleet() == nil, "a dropped declaration removes the limit")
        worker.stop()
        let refused = try await PetalBinary.runOffThePool(["worker", "--redis", server.url, "--greet-rate-limit", "fast"], program: "greeter")
        #expect(refused.code != 0 && refused.error.contains("task greeter.expensive_greet: invalid rate limit 'fast'"), "\(refused)")
    }

    /// Jobs whose slots passed while every child was busy start an interval apart, not at once;
    /// tightening a limit (or spelling it otherwise) lets no extra job through; slots of purged jobs
    /// are not kept from the jobs after them.
    @Test func busySpellsChangesAndPurgesNeverLetABurstThrough() async throws {
        let worker = try await WorkerProcess(redis: server, name: "petal-804@vm", concurrency: 1)
        defer { worker.stop() }
        try await client.setRateLimit(try RateLimit.parse("4/s"), for: "noop")
        let sleeper = try await client.enqueue(EnqueueRequest(task: "sleep", args: [3]))
        try await Eventually.job(client, sleeper, state: .started)
        let ids = try await client.enqueue(many: (0..<8).map { _ in EnqueueRequest(task: "noop") })
        for id in ids { try await Eventually.job(client, id, timeout: 60) }
        let starts = try await client.jobs(ids).compactMap { $0?.started }.sorted()
        let sleeperDone = try #require(try await client.job(sleeper)?.succeeded)
        #expect(starts.count == 8 && starts.filter { $0 >= sleeperDone - 0.01 }.count >= 6, "most waited for the busy child")
        let gaps = zip(starts, starts.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 >= 0.25 - 0.005 }, "starts after a busy spell are spaced, not a burst: \(gaps)")

        // Tightened, then the same rate spelt otherwise: the waiting job gets no extra start.
        try await client.setRateLimit(try RateLimit.parse("1/m"), for: "add")
        let adds = try await client.enqueue(many: (0..<3).map { _ in EnqueueRequest(task: "add", args: [1, 1]) })
        try await Eventually.job(client, adds[0])
        try await Eventually.wait("two waiting") { try await waiting("add") == 2 }
        #expect(try await client.setRateLimit(try RateLimit.parse("1/h"), for: "add").changed == 1)
        #expect(try await client.setRateLimit(try RateLimit.parse("60/h"), for: "add").changed == 1)
        #expect(try await client.setRateLimit(try RateLimit.parse("1/m"), for: "add").changed == 0, "1/m is 60/h")
        try await Eventually.wait("two waiting again") { try await waiting("add") == 2 }
        #expect(try await client.jobs(Array(adds[1...])).allSatisfy { $0?.state == .pending }, "no start less than a minute after the last")

        // A waiting job that expires ends at its expiry, not at its slot a minute later.
        let expiring = try await client.enqueue(EnqueueRequest(task: "add", args: [3, 3], expiresIn: 2))
        let expired = try await Eventually.job(client, expiring, timeout: 30)
        #expect(expired.state == .revoked && expired.exception?.hasPrefix("Expired") == true, "\(expired.state) \(expired.exception ?? "")")
        #expect((expired.revoked ?? .infinity) < (expired.sent ?? 0) + 30, "ended at its expiry, long before its slot")

        // Purged: the next job's slot follows the last start, not the purged jobs' slots.
        let firstStart = try #require(try await client.job(adds[0])?.started)
        #expect(try await client.purge(queue: "default") == 2)
        _ = try await client.enqueue(EnqueueRequest(task: "add", args: [2, 2]))
        try await Eventually.wait("the new job waiting") { try await waiting("add") == 1 }
        let next = try #require(try await client.rateLimits().first { $0.task == "add" }?.nextSlot)
        #expect(next <= firstStart + 60 + 0.01, "slot \(next - firstStart) s after the last start")
    }

    /// A worker's own limit: refused for a task it does not run, its keys expire with it, and the
    /// CLI says at once when the worker named is not online.
    @Test func aWorkersOwnLimitIsCheckedAndGoesWithTheWorker() async throws {
        let worker = try await WorkerProcess(redis: server, name: "petal-805@vm", concurrency: 1)
        defer { worker.stop() }
        let refused = try await client.control(.rateLimit(task: "no.such.task", rate: try RateLimit.parse("1/s")), destination: [worker.name], timeout: 5)
        #expect(refused.first?.error?.contains("unknown task 'no.such.task'") == true, "\(refused)")
        let set = try await client.control(.rateLimit(task: "noop", rate: try RateLimit.parse("1/s")), destination: [worker.name], timeout: 5)
        #expect(set.first?.succeeded == true)
        let ttl = try await redis.command(["TTL", RedisArgument(client.keys.workerRateLimits(worker.name))]).int ?? -2
        #expect(ttl > 0, "a worker's limits expire after it (TTL \(ttl))")
        let offline = try await PetalBinary.runOffThePool(["control", "rate-limit", "noop", "1/s", "--worker", "petal-1@nowhere", "--redis", server.url])
        #expect(offline.code == 1 && offline.error.contains("no worker named petal-1@nowhere is online"), "\(offline)")
    }
}
