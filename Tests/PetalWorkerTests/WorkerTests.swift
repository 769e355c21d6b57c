import Foundation
import Petal
import PetalRedis
import PetalSystem
import PetalTestSupport
import Testing

/// A real `petal worker` (supervisor and child processes) against a real redis-server.
/// Serialized: each test runs processes of its own, and two cores are better shared one test at a time.
@Suite("Worker", .serialized)
struct WorkerTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    @Test func runsAJobReportingProgressToSuccess() async throws {
        let worker = try await WorkerProcess(redis: server)
        let id = try await client.enqueue(EnqueueRequest(task: "progress", args: [5, 0.1]))
        let done = try await Eventually.job(client, id)
        #expect(done.state == .success, "\(worker.log)")
        #expect(done.result == ["completed": 5, "total": 5, "fallback": false])
        #expect(done.progress?.current == 5)
        #expect(done.worker == worker.name)
        #expect(done.runtime ?? 0 > 0)
        // The event stream saw it sent, received and started (one fetch writes both), report progress and succeed, in that order.
        let entries = try await server.redisClient().command(["XRANGE", RedisArgument(client.keys.events), "-", "+"]).array ?? []
        let types = entries.compactMap { $0.array?.last?.fieldMap }.filter { $0["id"] == id }.compactMap { $0["type"] }
        #expect(types == ["task-sent", "task-started", "task-progress", "task-succeeded"], "received and started are one step: one event")
    }

    @Test func softTimeLimitLetsATaskFallBackOrFail() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let graceful = try await client.enqueue(EnqueueRequest(task: "progress", args: [50, 0.1], softTimeLimit: 0.5))
        let plain = try await client.enqueue(EnqueueRequest(task: "sleep", args: [30], softTimeLimit: 0.5))
        let fallback = try await Eventually.job(client, graceful)
        #expect(fallback.state == .success)
        #expect(fallback.result?["fallback"] == true)
        let failed = try await Eventually.job(client, plain)
        #expect(failed.state == .failure)
        #expect(failed.exception?.hasPrefix("SoftTimeLimitExceeded") == true)
    }

    @Test func hardTimeLimitKillsTheChildAndReplacesIt() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        let before = try #require(try await client.worker(worker.name)).children
        let id = try await client.enqueue(EnqueueRequest(task: "cpu_burn", args: [60], timeLimit: 1))
        let job = try await Eventually.job(client, id)
        #expect(job.state == .failure)
        #expect(job.exception?.hasPrefix("TimeLimitExceeded") == true)
        try await Eventually.wait("a fresh child") {
            let children = try await client.worker(worker.name)?.children ?? []
            return children.count == 1 && children != before
        }
        let after = try await client.enqueue(EnqueueRequest(task: "add", args: [1, 2]))
        #expect(try await Eventually.job(client, after).result == 3)
    }

    @Test func aCrashFailsOnlyItsOwnJob() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 2)
        let survivor = try await client.enqueue(EnqueueRequest(task: "sleep", args: [1.5]))
        _ = try await Eventually.job(client, survivor, state: .started)
        let crash = try await client.enqueue(EnqueueRequest(task: "crash"))
        let crashed = try await Eventually.job(client, crash)
        #expect(crashed.state == .failure)
        #expect(crashed.exception?.contains("WorkerLostError") == true)
        #expect(crashed.exception?.contains("SIG") == true, "the signal is named: \(crashed.exception ?? "")")
        #expect(try await Eventually.job(client, survivor).state == .success)
        try await Eventually.wait("pool back to 2") { try await client.worker(worker.name)?.children.count == 2 }
    }

    @Test func badJobsFailClearlyAndTheWorkerCarriesOn() async throws {
        let worker = try await WorkerProcess(redis: server)
        let badArgs = try await client.enqueue(EnqueueRequest(task: "add", argsJSON: "[1, oops"))
        let unknown = try await client.enqueue(EnqueueRequest(task: "no.such.task"))
        let wrongType = try await client.enqueue(EnqueueRequest(task: "add", args: ["a", "b"]))
        try await server.redisClient().command(["LPUSH", RedisArgument(client.keys.queue("default")), "garbage \u{0}\u{1} value"])
        for (id, prefix) in [(badArgs, "InvalidArguments"), (unknown, "NotRegistered"), (wrongType, "InvalidArguments")] {
            let job = try await Eventually.job(client, id)
            #expect(job.state == .failure)
            #expect(job.exception?.hasPrefix(prefix) == true, "\(job.exception ?? "")")
        }
        try await Eventually.wait("dead letter") { try await client.deadLetters().count == 1 }
        let after = try await client.enqueue(EnqueueRequest(task: "add", args: [20, 22]))
        #expect(try await Eventually.job(client, after).result == 42)
        #expect(try await client.worker(worker.name)?.online == true)
    }

    @Test func failuresRetryWithBackoffThenFail() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let id = try await client.enqueue(EnqueueRequest(task: "flaky", args: [1.0], maxRetries: 2))
        let retrying = try await Eventually.job(client, id, state: .retry)
        #expect(retrying.retries >= 1)
        let job = try await Eventually.job(client, id, timeout: 30)
        #expect(job.state == .failure)
        #expect(job.retries == 2)
        #expect(job.deliveries == 3)
        #expect(job.exception?.contains("simulated failure") == true)
    }

    @Test func countdownJobsRunWhenDue() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let id = try await client.enqueue(EnqueueRequest(task: "noop", countdown: 2))
        #expect(try await client.job(id)?.state == .pending)
        let job = try await Eventually.job(client, id)
        #expect(job.state == .success)
        #expect((job.started ?? 0) - (job.sent ?? 0) >= 1.99)
    }

    @Test func higherPriorityQueuesAreServedFirst() async throws {
        // Enqueue before the worker exists, so both queues are full when it starts.
        let low = try await client.enqueue(many: (0..<3).map { _ in EnqueueRequest(task: "noop", queue: "low") })
        let high = try await client.enqueue(many: (0..<3).map { _ in EnqueueRequest(task: "noop", queue: "high") })
        let worker = try await WorkerProcess(redis: server, concurrency: 1, queues: ["high", "low"])
        defer { worker.stop() }
        var records: [JobRecord] = []
        for id in high + low { records.append(try await Eventually.job(client, id)) }
        let lastHigh = records.prefix(3).compactMap(\.started).max() ?? 0
        let firstLow = records.suffix(3).compactMap(\.started).min() ?? 0
        #expect(lastHigh <= firstLow)
    }

    @Test func revokedPendingJobsNeverRunAndTerminateKillsRunningOnes() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        let running = try await client.enqueue(EnqueueRequest(task: "sleep", args: [60]))
        let waiting = try await client.enqueue(EnqueueRequest(task: "noop"))
        _ = try await Eventually.job(client, running, state: .started)
        #expect(try await client.revoke(waiting) == .revoked)
        #expect(try await client.revoke(running, terminate: true) == .running)
        let terminated = try await Eventually.job(client, running)
        #expect(terminated.state == .revoked)
        let never = try #require(try await client.job(waiting))
        #expect(never.state == .revoked)
        #expect(never.started == nil)
        let next = try await client.enqueue(EnqueueRequest(task: "add", args: [1, 1]))
        #expect(try await Eventually.job(client, next).result == 2, "\(worker.log)")
    }

    @Test func poolGrowsShrinksAndAutoscalesOnCommand() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        let grow = try await client.control(.poolGrow(2), destination: [worker.name], timeout: 5)
        #expect(grow.first?.succeeded == true)
        try await Eventually.wait("3 children") { try await client.worker(worker.name)?.children.count == 3 }
        _ = try await client.control(.poolShrink(2), destination: [worker.name], timeout: 5)
        try await Eventually.wait("1 child") { try await client.worker(worker.name)?.children.count == 1 }
        _ = try await client.control(.autoscale(max: 4, min: 1), destination: [worker.name], timeout: 5)
        let ids = try await client.enqueue(many: (0..<12).map { _ in EnqueueRequest(task: "sleep", args: [0.5]) })
        do {
            try await Eventually.wait("autoscaled to 4") { try await client.worker(worker.name)?.concurrency == 4 }
        } catch {
            Issue.record("\(error)\n\(worker.log.suffix(4000))")
            throw error
        }
        for id in ids { #expect(try await Eventually.job(client, id).state == .success) }
        let ping = try await client.control(.ping, timeout: 2)
        #expect(ping.map(\.worker) == [worker.name])
        #expect(ping.first?.ok == "pong")
        let refused = try await client.control(.cancelConsumer("not-consumed"), destination: [worker.name], timeout: 2)
        #expect(refused.first?.error == "not consuming from not-consumed")
    }

    @Test func queuesAndTimeLimitsChangeAtRunTime() async throws {
        let worker = try await WorkerProcess(redis: server)
        let other = try await client.enqueue(EnqueueRequest(task: "noop", queue: "other"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await client.job(other)?.state == .pending)
        let added = try await client.control(.addConsumer("other"), destination: [worker.name], timeout: 5)
        #expect(added.first?.ok == "add consumer other")
        #expect(try await Eventually.job(client, other).state == .success)
        #expect(try await client.worker(worker.name)?.queues == ["default", "other"])
        let cancelled = try await client.control(.cancelConsumer("other"), destination: [worker.name], timeout: 5)
        #expect(cancelled.first?.ok == "no longer consuming from other")

        let limit = try await client.control(.timeLimit(task: "sleep", soft: 0.3, hard: 5), destination: [worker.name], timeout: 5)
        #expect(limit.first?.ok == "time limits set successfully")
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [30]))
        #expect(try await Eventually.job(client, id).exception?.hasPrefix("SoftTimeLimitExceeded") == true)
    }

    @Test func heartbeatsDescribeTheWorkerAndStopOnShutdown() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 2, queues: ["default", "extra"])
        let record = try #require(try await client.worker(worker.name))
        #expect(record.online)
        #expect(record.pid == Int(worker.pid))
        #expect(record.queues == ["default", "extra"])
        #expect(record.concurrency == 2)
        #expect(record.registered.contains("progress"))
        #expect(try await client.registeredTaskNames().contains("cpu_burn"))
        #expect(record.loadAverage.count == 3)
        #expect(record.rssBytes > 0)
        try await Eventually.wait("2 children") { try await client.worker(worker.name)?.children.count == 2 }
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [1]))
        _ = try await Eventually.job(client, id, state: .started)
        try await Eventually.wait("active job in heartbeat") { try await client.worker(worker.name)?.active.first?.id == id }
        // Warm shutdown: the running job finishes, then the worker leaves.
        worker.signal(SIGTERM)
        #expect(try await Eventually.job(client, id).state == .success)
        #expect(worker.waitForExit(timeout: 20) == .exited(0))
        let gone = try #require(try await client.worker(worker.name))
        #expect(!gone.online)
        #expect(gone.processed == 1)
    }

    @Test func aColdShutdownPutsRunningJobsBackForTheNextWorker() async throws {
        let first = try await WorkerProcess(redis: server, concurrency: 1)
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [2]))
        _ = try await Eventually.job(client, id, state: .started)
        first.signal(SIGTERM)  // warm: would wait for the job...
        try await Task.sleep(for: .milliseconds(200))
        first.signal(SIGTERM)  // ...cold: kill the child, re-queue its job
        #expect(first.waitForExit(timeout: 20) == .exited(0))
        let requeued = try #require(try await client.job(id))
        #expect(requeued.state == .pending, "\(first.log)")
        let second = try await WorkerProcess(redis: server, concurrency: 1)
        defer { second.stop() }
        let job = try await Eventually.job(client, id)
        #expect(job.state == .success)
        #expect(job.worker == second.name)
        #expect(job.deliveries == 2)
    }

    @Test func killNineOfAWholeWorkerLosesNoJob() async throws {
        let first = try await WorkerProcess(redis: server, concurrency: 4)
        let ids = try await client.enqueue(many: (0..<100).map { _ in EnqueueRequest(task: "sleep", args: [0.1]) })
        try await Eventually.wait("jobs in flight") {
            (try await server.redisClient().command(["LLEN", RedisArgument(client.keys.inflight(first.name))]).int ?? 0) >= 3
        }
        first.killHard()
        let second = try await WorkerProcess(redis: server, concurrency: 4)
        for id in ids {
            let job = try await Eventually.job(client, id, timeout: 60)
            #expect(job.state == .success, "\(id): \(job.state) \(job.exception ?? "")")
        }
        let redelivered = try await client.jobs(ids).compactMap { $0 }.filter { $0.redeliveries > 0 }
        #expect(!redelivered.isEmpty, "the jobs in flight on the killed worker were redelivered")
        #expect(redelivered.allSatisfy { $0.worker == second.name })
    }

    @Test func survivesARedisOutageWithoutLosingOrRepeatingJobs() async throws {
        let durable = try RedisServer(appendOnly: true)
        let durableClient = durable.petalClient(poolSize: 2)
        let worker = try await WorkerProcess(redis: durable, concurrency: 2)
        let ids = try await durableClient.enqueue(many: (0..<40).map { _ in EnqueueRequest(task: "sleep", args: [0.1]) })
        try await Eventually.wait("some done") {
            try await durableClient.jobs(ids).filter { $0?.state == .success }.count >= 5
        }
        durable.stop()
        try await Task.sleep(for: .seconds(10))
        let restarted = try RedisServer(port: durable.port, appendOnly: true, directory: durable.directory)
        for id in ids {
            let job = try await Eventually.job(durableClient, id, timeout: 60)
            #expect(job.state == .success, "\(id): \(job.state) \(job.exception ?? "") \(worker.log.suffix(2000))")
        }
        // Given back and taken again is fine (a child's prefetched jobs go back when Redis goes);
        // running twice is not.
        let runs = worker.runsByJob
        #expect(ids.allSatisfy { runs[$0] == 1 }, "ran other than once: \(ids.filter { runs[$0] != 1 }.map { ($0, runs[$0] ?? 0) })")
        #expect(try await durableClient.totals().processed == ids.count)
        _ = restarted
    }
}
