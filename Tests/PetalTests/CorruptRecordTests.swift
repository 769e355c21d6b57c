import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Issue 10, defect 6: Redis keeps what a script wrote before a Lua error, so a record with a bad
/// value must be caught before anything is written. The test plays the worker through the scripts.
@Suite("Corrupt job records")
struct CorruptRecordTests: LibraryCaller {
    let server: RedisServer
    let client: PetalClient
    let keys = Keys()
    let connection: RedisConnection

    init() throws {
        (server, client, connection) = try Self.freshRedis()
        try connection.command("HSET", keys.worker("w1"), "name", "w1")
    }


    private func fetch() throws -> FetchedJob? {
        try call(FetchCall(worker: "w1", pid: "100", queues: ["default"])).jobs.first
    }

    static let numericFields = ["deliveries", "sent", "eta", "expires", "retries", "max_retries", "redeliveries",
                                "soft_time_limit", "time_limit"]

    @Test(arguments: numericFields)
    func fetchFailsARecordWithABadNumberNamingTheField(field: String) async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        try connection.command("HSET", keys.job(id), field, "garbage")
        let good = try await client.enqueue(EnqueueRequest(task: "noop"))
        // The corrupt job is taken first and settled; the good one behind it is handed out.
        #expect(try fetch()?.id == good)
        let job = try #require(try await client.job(id))
        #expect(job.state == .failure)
        #expect(job.exception?.contains("field '\(field)' is 'garbage', not a number") == true, "\(job.exception ?? "")")
        #expect(try connection.command("LRANGE", keys.inflight("w1"), "0", "-1").array?.compactMap(\.string) == [good])
        #expect(try connection.command("ZSCORE", keys.jobs(state: .failure), id).double != nil)
        #expect(try connection.command("ZSCORE", keys.jobs(state: .pending), id).isNull)
    }

    @Test func aStateNoQueuedJobCanHaveFailsNamingTheField() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        try connection.command("HSET", keys.job(id), "state", "BOGUS")
        #expect(try fetch() == nil)
        let job = try #require(try await client.job(id))
        #expect(job.state == .failure)
        #expect(job.exception?.contains("field 'state' is 'BOGUS'") == true, "\(job.exception ?? "")")
        #expect(try connection.command("LLEN", keys.inflight("w1")).int == 0)
    }

    @Test func laterStepsNeverFailOnABadNumber() async throws {
        // A running job whose record went bad: progress, retry, re-queue and reap carry on.
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try fetch()?.id == id)
        try connection.command("HSET", keys.job(id), "sent", "garbage", "retries", "x", "redeliveries", "y")
        #expect(try call(ProgressCall(id: id, current: 1, total: 2, message: "half")))
        #expect(try await client.job(id)?.state == .progress)
        _ = try call(FinishCall(worker: "w1", pid: "100", outcomes: [JobOutcome(id: id, delivery: "1", kind: .retry, exception: "TaskFailure: boom",
                                                                                runtime: 0.1, retryAt: Clock.now() - 1)],
                                take: 0, queues: ["default"]))
        let retried = try #require(try await client.job(id))
        #expect(retried.state == .retry)
        #expect(retried.retries == 1, "a bad count starts again from 0")
        #expect(try call(PromoteCall(limit: 10)) == 1)
        // sent is still garbage: fetch refuses to start it and fails it, naming the field.
        #expect(try fetch() == nil)
        #expect(try await client.job(id)?.exception?.contains("field 'sent'") == true)

        let other = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try fetch()?.id == other)
        try connection.command("HSET", keys.job(other), "sent", "garbage", "redeliveries", "y")
        try connection.command("DEL", keys.worker("w1"))
        #expect(try call(ReapCall(worker: "w1", maxRedeliveries: 3, own: false)).requeued == 1)
        let requeued = try #require(try await client.job(other))
        #expect(requeued.state == .pending)
        #expect(requeued.redeliveries == 1)
        #expect(try connection.command("ZSCORE", keys.jobs(state: .pending), other).double != nil)
        #expect(try await client.revoke(other) == .revoked)
    }

    @Test func enqueueChecksEveryNumberBeforeWriting() throws {
        // A client in another language sends a bad ETA for the second of two jobs: nothing is written.
        let first = EnqueueCall.Job(EnqueueRequest(task: "noop"), id: "a", now: Clock.now())
        var second = EnqueueCall.Job(EnqueueRequest(task: "noop"), id: "b", now: Clock.now())
        second.eta = "soon"
        #expect(throws: RedisError.server("ERR enqueue: field 'eta' of job b is 'soon', not a number")) {
            _ = try call(EnqueueCall(producer: "test-producer", jobs: [first, second]))
        }
        #expect(try connection.command("EXISTS", keys.job("a")).int == 0)
        #expect(try connection.command("LLEN", keys.queue("default")).int == 0)
    }
}
