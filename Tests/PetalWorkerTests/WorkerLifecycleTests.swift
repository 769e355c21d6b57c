import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// What docs/PROTOCOL.md promises about a worker's life and a job's end ("For a second
/// implementation"), seen from outside with real workers: no `worker-offline` at a first start, a
/// redelivered job listed under the worker that took it last, and a job revoked while running never
/// runs again.
@Suite("Worker lifecycle", .serialized)
struct WorkerLifecycleTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    private func events(of worker: String) async throws -> [String] {
        try await client.events(after: "0", block: 0, count: 100_000).filter { $0.fields["worker"] == worker }.map(\.type)
    }

    @Test func noJobWaitsBehindALongOneInAChildThatTookItAhead() async throws {
        // Short jobs first, so children take several per call; then a long job with short ones
        // behind it in the same queue: whatever a child took ahead with the long one goes back,
        // and the short ones all end while the long one still runs.
        try await client.pause(queue: "default")
        _ = try await client.enqueue(many: (0..<40).map { _ in EnqueueRequest(task: "noop") })
        let long = try await client.enqueue(EnqueueRequest(task: "sleep", args: [60]))
        let behind = try await client.enqueue(many: (0..<7).map { _ in EnqueueRequest(task: "add", args: [1, 2]) })
        let worker = try await WorkerProcess(redis: server, concurrency: 2)
        defer { worker.stop() }
        try await client.resume(queue: "default")
        for id in behind { #expect(try await Eventually.job(client, id, timeout: 45).state == .success) }
        #expect(try await client.job(long)?.state == .started, "the long job still runs: nothing waited for it to end")
    }

    @Test func controlRepliesGoOnlyToReplyLists() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1, queues: ["busy"])
        defer { worker.stop() }
        let waiting = try await client.enqueue(EnqueueRequest(task: "noop", queue: "elsewhere"))
        let redis = server.redisClient()
        // Anyone may publish a control message; one naming a queue as its reply list must not get
        // the queue a lifetime (its jobs would vanish with it).
        let hostile = #"{"id":"x","command":"ping","reply_to":"\#(client.keys.queue("elsewhere"))"}"#
        #expect(try await redis.command(["PUBLISH", RedisArgument(client.keys.controlChannel), RedisArgument(hostile)]).int == 1)
        let replies = try await client.control(.ping, destination: [worker.name])
        #expect(replies.map(\.worker) == [worker.name], "a real reply list still gets its answer, after the hostile one was read")
        #expect(try await redis.command(["TTL", RedisArgument(client.keys.queue("elsewhere"))]).int == -1)
        #expect(try await redis.command(["LRANGE", RedisArgument(client.keys.queue("elsewhere")), "0", "-1"]).array?.compactMap(\.string) == [waiting])
    }

    @Test func aWorkerStartingUnderANewNameIsNeverOfflineFirst() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        let atStart = try await events(of: worker.name)
        #expect(atStart.first == "worker-online", "\(atStart)")
        #expect(!atStart.contains("worker-offline"), "\(atStart)")
        worker.stop()
        try await Eventually.wait("one worker-offline after the stop") { try await events(of: worker.name).filter { $0 == "worker-offline" }.count == 1 }

        // The same name again: online, and offline once more only when it stops again.
        let again = try await WorkerProcess(redis: server, name: worker.name, concurrency: 1)
        let types = try await events(of: worker.name)
        #expect(types.filter { $0 == "worker-offline" }.count == 1, "\(types)")
        #expect(types.filter { $0 == "worker-online" }.count == 2, "\(types)")
        again.stop()
    }

    @Test func aRedeliveredJobIsListedUnderTheWorkerThatTookItLast() async throws {
        let first = try await WorkerProcess(redis: server, concurrency: 1)
        // Long enough to be seen running whatever the load (the test looks, then kills its worker).
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [15]))
        _ = try await Eventually.job(client, id, state: .started)
        first.killHard()
        let second = try await WorkerProcess(redis: server, concurrency: 1)
        defer { second.stop() }
        let done = try await Eventually.job(client, id, state: .success, timeout: 90)
        #expect(done.worker == second.name)
        #expect(done.redeliveries == 1)
        let underFirst = try await client.jobs(matching: JobQuery(worker: first.name)).jobs.map(\.id)
        let underSecond = try await client.jobs(matching: JobQuery(worker: second.name)).jobs.map(\.id)
        #expect(!underFirst.contains(id), "the job left the first worker's index")
        #expect(underSecond == [id])
        let byWorker = try await client.jobs(matching: JobQuery(sortKey: .worker, limit: 100)).jobs.map(\.id)
        #expect(byWorker.filter { $0 == id }.count == 1, "listed once when sorted by worker: \(byWorker)")
    }

    @Test func aJobRevokedWhileRunningIsNeverRunAgain() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        // It fails at its soft time limit and would be retried three times.
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [60], softTimeLimit: 8, maxRetries: 3))
        _ = try await Eventually.job(client, id, state: .started)
        #expect(try await client.revoke(id) == .running)
        let ended = try await Eventually.job(client, id, timeout: 30)
        #expect(ended.state == .revoked, "\(ended.state): a revoked job is not retried")
        #expect(ended.deliveries == 1, "it ran once")
        #expect(ended.exception?.hasPrefix("SoftTimeLimitExceeded") == true, "\(ended.exception ?? "")")
    }
}
