import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// The protocol's scripts and the client API, run against a real redis-server with no worker:
/// the test plays the worker's part through the same scripts a worker in any language would call.
@Suite("Job protocol")
struct ProtocolTests: LibraryCaller {
    let server: RedisServer
    let client: PetalClient
    let keys = Keys()
    let connection: RedisConnection

    init() throws {
        (server, client, connection) = try Self.freshRedis()
    }


    /// Fetches as a live worker would: with its heartbeat key present (fetch gives a worker without
    /// one nothing).
    private func fetch(worker: String = "w1", pid: String = "100", queues: [String] = ["default"]) throws -> FetchedJob? {
        try connection.command("HSET", keys.worker(worker), "name", worker)
        return try call(FetchCall(worker: worker, pid: pid, queues: queues)).jobs.first
    }

    /// Acknowledges a run of `id` as the child "100" of w1 that took it (first delivery) would.
    private func finish(_ id: String, _ kind: JobOutcome.Kind = .success, result: String = "null", exception: String = "",
                        retryAt: Double = 0, take: Int = 0) throws -> FinishCall.Reply {
        try call(FinishCall(worker: "w1", pid: "100", outcomes: [JobOutcome(id: id, delivery: "1", kind: kind, resultJSON: result,
                                                                            exception: exception, runtime: 0.01, retryAt: retryAt)],
                            take: take, queues: ["default"]))
    }

    @Test func enqueueWritesTheRecordIndexesAndQueue() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "add", args: [2, 3], kwargs: ["z": "q"], queue: "math", group: "user-1"))
        let job = try #require(try await client.job(id))
        #expect(job.task == "add")
        #expect(job.state == .pending)
        #expect(job.argsJSON == "[2,3]")
        #expect(job.kwargsJSON == #"{"z":"q"}"#)
        #expect(job.group == "user-1")
        #expect(job.sent != nil)
        #expect(try connection.command("LRANGE", keys.queue("math"), "0", "-1").array?.first?.string == id)
        for index in [keys.jobs, keys.jobs(state: .pending), keys.jobs(task: "add"), keys.jobs(queue: "math"), keys.group("user-1")] {
            #expect(try connection.command("ZSCORE", index, id).double != nil, "missing from \(index)")
        }
        #expect(try await client.taskNames() == ["add"])
        let events = try connection.command("XRANGE", keys.events, "-", "+").array ?? []
        #expect(events.count == 1)
        #expect(events.first?.array?.last?.fieldMap["type"] == "task-sent")
        #expect(UUID(uuidString: id) != nil)
    }

    @Test func enqueueManyUsesOneRoundTripPerHundredAndKeepsOrder() async throws {
        let requests = (0..<250).map { EnqueueRequest(task: "noop", args: [.number(Double($0))]) }
        let ids = try await client.enqueue(many: requests)
        #expect(Set(ids).count == 250)
        #expect(try connection.command("LLEN", keys.queue("default")).int == 250)
        // Taken from the right end: first enqueued, first out.
        #expect(try fetch()?.id == ids[0])
    }

    @Test func invalidRequestsAreRefusedBeforeWriting() async throws {
        for request in [EnqueueRequest(task: ""), EnqueueRequest(task: "x", queue: "bad queue"),
                        EnqueueRequest(task: "x", softTimeLimit: 5, timeLimit: 1), EnqueueRequest(task: "x", countdown: -1),
                        EnqueueRequest(task: "x", maxRetries: -1)] {
            await #expect(throws: PetalError.self) { try await client.enqueue(request) }
        }
        #expect(try connection.command("DBSIZE").int == 0)
    }

    @Test func fetchMovesToInFlightAndMarksStartedInOneStep() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "hello", softTimeLimit: 2, timeLimit: 4))
        let fetched = try #require(try fetch())
        #expect(fetched.id == id)
        #expect(fetched.softTimeLimit == 2)
        #expect(fetched.timeLimit == 4)
        #expect(fetched.delivery == "1")
        #expect(try connection.command("LRANGE", keys.inflight("w1"), "0", "-1").array?.first?.string == id)
        let job = try #require(try await client.job(id))
        #expect(job.state == .started)
        #expect(job.worker == "w1")
        #expect(job.pid == 100)
        #expect(job.deliveries == 1)
        #expect(try fetch() == nil)
    }

    @Test func queuesAreTakenInPriorityOrderAndPausedOnesSkipped() async throws {
        let low = try await client.enqueue(EnqueueRequest(task: "noop", queue: "low"))
        let high = try await client.enqueue(EnqueueRequest(task: "noop", queue: "high"))
        #expect(try fetch(queues: ["high", "low"])?.id == high)
        try await client.pause(queue: "low")
        #expect(try fetch(queues: ["high", "low"]) == nil)
        try await client.resume(queue: "low")
        #expect(try fetch(queues: ["high", "low"])?.id == low)
    }

    @Test func finishAcknowledgesOnceStoresResultAndCounts() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "add", group: "g"))
        _ = try fetch()
        #expect(try finish(id, result: "5").acknowledgements == [.acknowledged])
        // A repeated finish (a lost reply retried) changes nothing.
        #expect(try finish(id, result: "5").acknowledgements == [.nothingInFlight])
        let job = try #require(try await client.job(id))
        #expect(job.state == .success)
        #expect(job.result == 5)
        #expect(job.succeeded != nil)
        #expect(try connection.command("LLEN", keys.inflight("w1")).int == 0)
        #expect(try await client.totals() == JobTotals(succeeded: 1, failed: 0, retried: 0, revoked: 0))
        #expect(try connection.command("HGET", keys.workerStats("w1"), "succeeded").int == 1)
        let minute = Int(try #require(job.succeeded) / 60)  // the script's minute, not the test's (a minute may turn between)
        #expect(try connection.command("HGET", keys.statsMinute(minute), "succeeded").int == 1)
        #expect(try connection.command("TTL", keys.statsMinute(minute)).int ?? 0 > 80_000)
        #expect(try connection.command("ZSCORE", keys.jobs(state: .success), id).double != nil)
        #expect(try connection.command("ZSCORE", keys.jobs(state: .started), id).isNull)
    }

    @Test func finishCanTakeTheNextJobInTheSameCall() async throws {
        let first = try await client.enqueue(EnqueueRequest(task: "noop"))
        let second = try await client.enqueue(EnqueueRequest(task: "noop"))
        _ = try fetch()
        let reply = try finish(first, take: 1)
        #expect(reply.acknowledgements == [.acknowledged])
        #expect(reply.next.map(\.id) == [second])
    }

    @Test func garbageOnAQueueIsDeadLetteredNotRun() async throws {
        try connection.command("LPUSH", keys.queue("default"), "<<not a job id>>")
        let good = try await client.enqueue(EnqueueRequest(task: "noop"))
        try connection.command("RPUSH", keys.queue("default"), "garbage-2")  // taken first
        #expect(try fetch()?.id == good)
        let dead = try await client.deadLetters()
        #expect(dead.count == 2)
        let entry = try JSONValue(parsing: dead[0])
        #expect(entry["value"]?.stringValue == "<<not a job id>>")
        #expect(entry["error"]?.stringValue?.contains("no job record") == true)
    }

    @Test func revokedAndExpiredJobsAreNeverStarted() async throws {
        let revoked = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try await client.revoke(revoked) == .revoked)
        let expired = try await client.enqueue(EnqueueRequest(task: "noop", expiresIn: 0))
        try await Task.sleep(for: .milliseconds(20))
        #expect(try fetch() == nil)
        #expect(try await client.job(revoked)?.state == .revoked)
        #expect(try await client.job(revoked)?.started == nil)
        let expiredJob = try #require(try await client.job(expired))
        #expect(expiredJob.state == .revoked)
        #expect(expiredJob.exception?.hasPrefix("Expired") == true)
        #expect(try await client.revoke("no-such-job") == .unknown)
        #expect(try await client.revoke(revoked) == .finished)
    }

    @Test func revokingARunningJobMarksItForTheWorker() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "sleep"))
        _ = try fetch()
        #expect(try await client.revoke(id, terminate: true) == .running)
        #expect(try await client.job(id)?.revokeRequested == "terminate")
        // The child is killed; the supervisor settles its jobs: revoked ones end REVOKED.
        let handled = try call(ChildLostCall(worker: "w1", pid: "100", reason: "killed", mode: .fail))
        #expect(handled == [id])
        #expect(try await client.job(id)?.state == .revoked)
    }

    @Test func childLostFailsOnlyThatChildsJobs() async throws {
        let a = try await client.enqueue(EnqueueRequest(task: "noop"))
        let b = try await client.enqueue(EnqueueRequest(task: "noop"))
        _ = try fetch(pid: "1")
        _ = try fetch(pid: "2")
        _ = try call(ChildLostCall(worker: "w1", pid: "1", reason: "WorkerLostError: child process 1 killed by SIGSEGV", mode: .fail, running: a))
        let lost = try #require(try await client.job(a))
        #expect(lost.state == .failure)
        #expect(lost.exception?.contains("SIGSEGV") == true)
        #expect(try await client.job(b)?.state == .started)
        #expect(try connection.command("LRANGE", keys.inflight("w1"), "0", "-1").array?.compactMap(\.string) == [b])
    }

    @Test func reapRequeuesDeadWorkersJobsThenGivesUp() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        for attempt in 0...2 {
            #expect(try fetch(worker: "dead")?.id == id, "attempt \(attempt)")
            try connection.command("DEL", keys.worker("dead"))  // its heartbeat expires
            let reaped = try call(ReapCall(worker: "dead", maxRedeliveries: 2, own: false))
            if attempt < 2 {
                #expect(reaped.requeued == 1)
                #expect(try await client.job(id)?.state == .pending)
            } else {
                #expect(reaped.failed == 1)
            }
        }
        let job = try #require(try await client.job(id))
        #expect(job.state == .failure)
        #expect(job.exception?.hasPrefix("WorkerLostError") == true)
        #expect(job.redeliveries == 2)
    }

    @Test func reapLeavesLiveWorkersAlone() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        _ = try fetch(worker: "alive")
        try connection.command("SET", keys.worker("alive"), "x")
        let reaped = try call(ReapCall(worker: "alive", maxRedeliveries: 3, own: false))
        #expect(reaped.requeued == 0 && reaped.failed == 0 && !reaped.alive, "a live heartbeat: nothing to do")
        #expect(try await client.job(id)?.state == .started)
    }

    @Test func scheduledJobsWaitForTheirTime() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop", countdown: 3600))
        #expect(try await client.scheduledCount() == 1)
        #expect(try call(PromoteCall(limit: 100)) == 0)
        #expect(try fetch() == nil)
        // An hour passes: the job's due time is moved into the past rather than waited for.
        try connection.command("ZADD", keys.scheduled, Clock.text(Clock.now() - 1), id)
        #expect(try call(PromoteCall(limit: 100)) == 1)
        #expect(try fetch()?.id == id)
    }

    @Test func retryGoesToTheScheduledSet() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "flaky", maxRetries: 3))
        _ = try fetch()
        _ = try finish(id, .retry, exception: "TaskFailure: boom", retryAt: Clock.now() + 60)
        let job = try #require(try await client.job(id))
        #expect(job.state == .retry)
        #expect(job.retries == 1)
        #expect(try connection.command("ZSCORE", keys.scheduled, id).double != nil)
    }

    @Test func progressUpdatesTheRecordAndNotifiesTheGroup() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "progress", group: "visitor"))
        var iterator = client.notices(group: "visitor").makeAsyncIterator()
        #expect(await iterator.next() == .subscribed)
        _ = try fetch()
        #expect(try call(ProgressCall(id: id, current: 3, total: 10, message: "step 3")))
        var notice: JobNotice?
        while notice == nil, let event = await iterator.next() {
            if case .notice(let received) = event, received.state == .progress { notice = received }
        }
        #expect(notice?.current == 3)
        #expect(notice?.total == 10)
        #expect(notice?.message == "step 3")
        #expect(notice?.id == id)
        #expect(notice?.group == "visitor")
        let job = try #require(try await client.job(id))
        #expect(job.state == .progress)
        #expect(job.progress == JobRecord.Progress(current: 3, total: 10, message: "step 3"))
    }

    @Test func retentionTrimsTheOldestFinishedJobsEverywhere() async throws {
        var ids: [String] = []
        for index in 0..<5 {
            let id = try await client.enqueue(EnqueueRequest(task: "noop", group: "g\(index)"))
            _ = try fetch()
            _ = try finish(id)
            ids.append(id)
        }
        let pending = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try call(TrimCall(maxCount: 2, maxAge: 86400, limit: 1000)) == 3)
        for id in ids.prefix(3) {
            #expect(try await client.job(id) == nil)
            #expect(try connection.command("ZSCORE", keys.jobs, id).isNull)
            #expect(try connection.command("ZSCORE", keys.jobs(task: "noop"), id).isNull)
        }
        #expect(try await client.job(ids[4]) != nil)
        #expect(try await client.job(pending) != nil, "unfinished jobs are never trimmed")
        #expect(try call(TrimCall(maxCount: 100, maxAge: 0, limit: 1000)) == 2, "age limit")
    }

    @Test func waitListensForTheJobsEnd() async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "noop"))
        _ = try fetch()
        let client = self.client
        let waiter = Task { try await client.wait(for: id, timeout: 60) }
        try await Task.sleep(for: .milliseconds(50))
        _ = try finish(id, result: "7")
        let ended = try #require(try await waiter.value)
        #expect(ended.state == .success && ended.result == 7)
        // A job that does not end in time comes back as it is; an unknown one as nil.
        let waiting = try await client.enqueue(EnqueueRequest(task: "noop"))
        #expect(try await client.wait(for: waiting, timeout: 0.1)?.state == .pending)
        #expect(try await client.wait(for: "no-such-job", timeout: 0.1) == nil)
    }

    @Test func controlWithNoWorkersAnswersEmpty() async throws {
        #expect(try await client.control(.ping, timeout: 0.2).isEmpty)
    }

    @Test func unreachableRedisIsATypedError() async throws {
        let offline = PetalClient(redis: RedisClient(configuration: try RedisServer.unreachableConfiguration(), poolSize: 1))
        await #expect { try await offline.enqueue(EnqueueRequest(task: "noop")) } throws: { ($0 as? PetalError)?.isRedisUnavailable == true }
    }
}

@Suite("Protocol values")
struct ProtocolValueTests {
    @Test func jsonRoundTrips() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", true, nil], "b": ["c": "d"]]
        #expect(try JSONValue(parsing: value.jsonText) == value)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: "{not json") }
    }

    @Test func controlMessagesRoundTrip() throws {
        let message = ControlMessage(command: .poolGrow(3), destination: ["w1"], replyTo: "petal:reply:1")
        let parsed = try #require(ControlMessage.receive(message.json))
        #expect(parsed.command == .success(.poolGrow(3)))
        #expect(parsed.id == message.id && parsed.replyTo == message.replyTo && parsed.commandName == ControlCommand.Name.poolGrow.rawValue)
        #expect(parsed.isAddressed(to: "w1"))
        #expect(!parsed.isAddressed(to: "w2"))
        #expect(ControlMessage.receive("garbage") == nil)
        let reply = ControlReply(worker: "w1", error: "nope")
        #expect(ControlReply(json: reply.json) == reply)
    }

    @Test func clockTextHasMicroseconds() {
        #expect(Clock.text(1.5) == "1.500000")
        #expect(Clock.text(1732300000.000001) == "1732300000.000001")
    }

    @Test func statesParse() {
        #expect(JobState(name: "failure") == .failure)
        #expect(JobState(name: "BOGUS") == nil)
        #expect(JobState.success.isFinal && !JobState.retry.isFinal)
    }
}

@Suite("Job records")
struct JobRecordTests {
    @Test func readsHashPairsInAnyOrder() throws {
        let pairs = [("state", "PROGRESS"), ("progress_current", "3"), ("task", "greet"), ("id", "not-the-key"), ("progress_total", "10"),
                     ("sent", "1700000000.5"), ("started", "1700000001.5"), ("worker", ""), ("retries", "2"), ("newer_field", "ignored"),
                     ("result", "")]
        let record = try #require(JobRecord(id: "j1", pairs: pairs))
        #expect(record.id == "j1" && record.task == "greet" && record.state == .progress, "the id is the key's")
        #expect(record.received == 1_700_000_001.5, "received and started in one step")
        #expect(record.progress == JobRecord.Progress(current: 3, total: 10))
        #expect(record.sent == 1_700_000_000.5 && record.retries == 2)
        #expect(record.worker == nil && record.resultJSON == nil)  // empty values count as absent
        #expect(record.argsJSON == "[]" && record.kwargsJSON == "{}")
        #expect(JobRecord(id: "j1", fields: Dictionary(uniqueKeysWithValues: pairs)) == record)
    }

    @Test func needsATask() {
        #expect(JobRecord(id: "j1", pairs: []) == nil)
        #expect(JobRecord(id: "j1", pairs: [("state", "SUCCESS")]) == nil)
    }
}

@Suite("JSON text")
struct JSONTextTests {
    @Test func parsesWhatJSONAllows() throws {
        #expect(try JSONValue(parsing: #" { "a" : [1, -2.5e3, true, false, null, "x\"y\\z\n\u00e9\ud83d\ude00"] } "#)
                == ["a": [1, -2500, true, false, nil, "x\"y\\z\né😀"]])
        #expect(try JSONValue(parsing: "0.5") == 0.5)
        #expect(try JSONValue(parsing: "\"ünïcödé\"") == "ünïcödé")
    }

    @Test func rejectsWhatJSONDoesNot() {
        for bad in ["", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "[1] x", "\"open", "{'a': 1}", "\"\u{1}\"", "[", "-", "\"\\q\""] {
            #expect(throws: JSONValue.ParseError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
    }

    @Test func writesCompactSortedEscapedText() {
        let value: JSONValue = ["b": [1, 2.5, .null], "a": "line\n\"quoted\"\u{1}", "c": .number(.nan)]
        #expect(value.jsonText == #"{"a":"line\n\"quoted\"\u0001","b":[1,2.5,null],"c":null}"#)
    }

    @Test func writesOrderedObjectsAndUnicodeWhole() throws {
        var writer = JSONWriter()
        writer.write(object: [("z", "ünï😀"), ("a", .bool(true)), ("tab\t", [:]), ("n", -0.25)])
        #expect(writer.text == #"{"z":"ünï😀","a":true,"tab\t":{},"n":-0.25}"#)
        #expect(try JSONValue(parsing: writer.text)["z"] == "ünï😀")
    }
}
