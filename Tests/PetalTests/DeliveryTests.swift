import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Issue 10, defects 7, 9 and 10 at the protocol level: completions fenced by delivery number,
/// fetch refusing jobs that are not waiting, a worker without a heartbeat taking nothing, reap
/// leaving a listening worker alone, idempotent ids, one queue-name rule, active jobs at once.
@Suite("Deliveries")
struct DeliveryTests: LibraryCaller {
    let server: RedisServer
    let client: PetalClient
    let keys = Keys()
    let connection: RedisConnection

    init() throws {
        (server, client, connection) = try Self.freshRedis()
    }


    private func fetch(_ worker: String, pid: String = "100") throws -> FetchedJob? {
        try connection.command("HSET", keys.worker(worker), "name", worker)
        return try call(FetchCall(worker: worker, pid: pid, queues: ["default"])).jobs.first
    }

    private func finish(_ worker: String, _ id: String, delivery: String, pid: String = "100") throws -> FinishCall.Acknowledgement {
        try call(FinishCall(worker: worker, pid: pid, outcomes: [JobOutcome(id: id, delivery: delivery, kind: .success, resultJSON: "1", runtime: 0.1)],
                            take: 0, queues: ["default"])).acknowledgements[0]
    }

    private func events(_ type: String, id: String) throws -> Int {
        (try connection.command("XRANGE", keys.events, "-", "+").array ?? [])
            .compactMap { $0.array?.last?.fieldMap }.filter { $0["id"] == id && $0["type"] == type }.count
    }

    @Test func aCompletionFromAnEarlierDeliveryIsDiscarded() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try fetch("a")?.id == id)
        // Worker a is taken for dead; b gets the job: delivery 2.
        try connection.command("DEL", keys.worker("a"))
        _ = try call(ReapCall(worker: "a", maxRedeliveries: 3, own: false))
        let second = try #require(try fetch("b"))
        #expect(second.id == id)
        #expect(second.delivery == "2")
        #expect(try finish("a", id, delivery: "1") == .fenced, "a's late result is refused")
        #expect(try await client.job(id)?.state == .started)
        #expect(try connection.command("LRANGE", keys.inflight("b"), "0", "-1").array?.compactMap(\.string) == [id])
        #expect(try finish("b", id, delivery: "2") == .acknowledged)
        #expect(try finish("b", id, delivery: "2") == .nothingInFlight, "a repeated finish changes nothing")
        #expect(try events("task-succeeded", id: id) == 1)
        #expect(try await client.totals().succeeded == 1)
    }

    @Test func aChildTakesSeveralAndEachIsAcknowledgedOnItsOwn() async throws {
        let ids = try await client.enqueue(many: (0..<5).map { _ in EnqueueRequest(task: "noop") })
        try connection.command("HSET", keys.worker("w1"), "name", "w1")
        let taken = try call(FetchCall(worker: "w1", pid: "100", queues: ["default"], most: 3)).jobs
        #expect(taken.map(\.id) == Array(ids.prefix(3)), "oldest first")
        #expect(try connection.command("LLEN", keys.inflight("w1")).int == 3)
        func ran(_ id: String) -> JobOutcome { JobOutcome(id: id, delivery: "1", kind: .success, resultJSON: "1", runtime: 0.001) }
        // Two ran, one of them reported twice: each answered for itself; the rest are taken.
        let reply = try call(FinishCall(worker: "w1", pid: "100", outcomes: [ran(ids[0]), ran(ids[1]), ran(ids[0])], take: 5,
                                        queues: ["default"]))
        #expect(reply.acknowledgements == [.acknowledged, .acknowledged, .nothingInFlight])
        #expect(reply.next.map(\.id) == Array(ids.suffix(2)))
        // The child dies running ids[3]: that job fails; the ones it held and had not run go back.
        let lost = try call(ChildLostCall(worker: "w1", pid: "100", reason: "WorkerLostError: killed", mode: .fail, running: ids[3]))
        #expect(Set(lost) == [ids[2], ids[3], ids[4]])
        #expect(try await client.job(ids[3])?.state == .failure)
        #expect(try await client.job(ids[2])?.state == .pending)
        #expect(try await client.job(ids[4])?.state == .pending)
        #expect(try await client.totals() == JobTotals(succeeded: 2, failed: 1, retried: 0, revoked: 0))
        #expect(try events("task-succeeded", id: ids[0]) == 1)
    }

    @Test func aWorkerWithoutAHeartbeatTakesNothing() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try call(FetchCall(worker: "ghost", pid: "1", queues: ["default"])).jobs.isEmpty)
        #expect(try connection.command("LRANGE", keys.queue("default"), "0", "-1").array?.compactMap(\.string) == [id])
    }

    @Test func reapLeavesAWorkerThatStillListensAlone() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "sleep"))
        #expect(try fetch("busy")?.id == id)
        // Its heartbeat expired (Redis was full), but its supervisor still listens on its channel.
        try connection.command("DEL", keys.worker("busy"))
        let subscription = RedisSubscription(configuration: server.configuration, channels: [keys.controlChannel(worker: "busy")])
        var iterator = subscription.makeAsyncIterator()
        #expect(await iterator.next() == .subscribed)
        #expect(try call(ReapCall(worker: "busy", maxRedeliveries: 3, own: false)).alive)
        #expect(try await client.job(id)?.state == .started)
        #expect(try connection.command("LLEN", keys.inflight("busy")).int == 1)
        // The probe reached the listener (and is not a control message).
        if case .message(_, let payload, _)? = await iterator.next() { #expect(ControlMessage.receive(payload) == nil) }
    }

    @Test func anIDPushedTwiceRunsOnce() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        try connection.command("LPUSH", keys.queue("default"), id)
        #expect(try fetch("a", pid: "1")?.id == id)
        #expect(try fetch("a", pid: "2") == nil, "the second copy is not started while the first runs")
        #expect(try connection.command("LRANGE", keys.inflight("a"), "0", "-1").array?.compactMap(\.string) == [id])
        #expect(try await client.job(id)?.deliveries == 1)
        #expect(try events("task-started", id: id) == 1)
    }

    @Test func aClientGivenIDIsAnIdempotencyKey() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "add", args: [1, 2], id: "order-42"))
        #expect(id == "order-42")
        #expect(try await client.enqueue(EnqueueRequest(task: "add", args: [1, 2], id: "order-42")) == "order-42")
        let many = try await client.enqueue(many: [EnqueueRequest(task: "noop", id: "order-42"), EnqueueRequest(task: "noop", id: "order-43")])
        #expect(many == ["order-42", "order-43"])
        #expect(try connection.command("LRANGE", keys.queue("default"), "0", "-1").array?.compactMap(\.string) == ["order-43", "order-42"])
        #expect(try await client.job("order-42")?.task == "add")
        #expect(try events("task-sent", id: "order-42") == 1)
        // Once it ran, the same id still creates nothing.
        #expect(try fetch("a")?.id == "order-42")
        #expect(try finish("a", "order-42", delivery: "1") == .acknowledged)
        _ = try await client.enqueue(EnqueueRequest(task: "add", args: [1, 2], id: "order-42"))
        #expect(try await client.job("order-42")?.state == .success)
        #expect(try connection.command("LRANGE", keys.queue("default"), "0", "-1").array?.compactMap(\.string) == ["order-43"])
    }

    @Test func oneQueueNameRuleForEveryEntryPoint() async throws {
        for bad in ["", "a b", "tab\there", "a:b", "slash/x", "ünï", String(repeating: "q", count: 101)] {
            #expect(!QueueName.isValid(bad))
            await #expect(throws: PetalError.self) { try await client.enqueue(EnqueueRequest(task: "noop", queue: bad)) }
            await #expect(throws: PetalError.self) { try await client.pause(queue: bad) }
            await #expect(throws: PetalError.self) { try await client.resume(queue: bad) }
            await #expect(throws: PetalError.self) { try await client.purge(queue: bad) }
        }
        #expect(throws: PetalError.invalidRequest("queue name 'a b' must be 1 to 100 letters, digits, '.', '_' or '-'")) {
            try QueueName.validate("a b")
        }
        for good in ["default", "video.hi-res_2", String(repeating: "q", count: 100)] {
            try QueueName.validate(good)
            try await client.pause(queue: good)
            try await client.resume(queue: good)
        }
    }

    @Test func activeJobsShowTheMomentTheyStart() async throws {
        // A heartbeat written before the job started says nothing is running.
        let beat = WorkerHeartbeat(name: "a", hostname: "h", pid: 1, queues: ["default"], concurrency: 1, children: [77], active: [],
                                   loadAverage: [], rssBytes: 0, startedAt: nil, time: Clock.now(), heartbeatInterval: 2, version: "test",
                                   registered: ["sleep"], timeLimits: [:], shuttingDown: false)
        try call(HeartbeatCall(heartbeat: beat, ttl: 60, first: true))
        let id = try await client.enqueue(EnqueueRequest(task: "sleep"))
        #expect(try fetch("a", pid: "77")?.id == id)
        let active = try #require(try await client.worker("a")).active
        #expect(active.map(\.id) == [id])
        #expect(active.first?.task == "sleep")
        #expect(active.first?.pid == 77)
        #expect(try await client.workers().first { $0.name == "a" }?.active.map(\.id) == [id])
        _ = try finish("a", id, delivery: "1")
        #expect(try await client.worker("a")?.active.isEmpty == true)
    }
}
