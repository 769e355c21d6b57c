import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// A function that fails after writing keeps what it wrote (Redis does not roll a function back),
/// so every value a function cannot use must be refused before its first write. These send the
/// values a port's bug or a hostile client could: numbers with spaces (Lua reads ' 5' as 5, Redis
/// refuses it as a score), retry times and lifetimes that are not numbers.
@Suite("No half-written calls")
struct HalfWriteTests: LibraryCaller {
    let server: RedisServer
    let client: PetalClient
    let keys = Keys()
    let connection: RedisConnection

    init() throws {
        (server, client, connection) = try Self.freshRedis()
    }

    /// FCALL with the prefix and the clock first, as every program sends them.
    func raw(_ function: String, _ arguments: [String]) throws -> RedisValue {
        try connection.callFunction("petal_\(function)", in: PetalLibrary.library,
                                    arguments: [RedisArgument(keys.prefix), RedisArgument(Clock.text(Clock.now()))] + arguments.map { RedisArgument($0) })
    }

    func snapshot() throws -> [String] {
        (try connection.command("KEYS", "*").array ?? []).compactMap(\.string).filter { $0 != keys.prefix + ":events" }.sorted()
    }

    @Test(arguments: [" 5", "5\n", "\t1", "soon", "nan", ""])
    func enqueueRefusesASpacedNumberBeforeWritingAnything(sent: String) throws {
        let fields = ["ok-1", "add", "default", "[]", "{}", "", "", "", "", "", "", "", Clock.text(Clock.now()),
                      "bad-1", "add", "default", "[]", "{}", "", "", "", "", "", "", "", sent]
        let before = try snapshot()
        #expect(throws: RedisError.self) { try raw("enqueue", ["2", "me", "0"] + fields) }
        #expect(try snapshot() == before, "nothing written, not even the valid job of the same call")
    }

    @Test(arguments: [" 5", "soon", "nan", "inf", ""])
    func finishRefusesABadRetryTimeBeforeWritingAnything(retryAt: String) async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "flaky", maxRetries: 3))
        try connection.command("HSET", keys.worker("w1"), "name", "w1")
        _ = try call(FetchCall(worker: "w1", pid: "100", queues: ["default"]))
        let before = try await client.job(id)
        #expect(throws: RedisError.self) {
            try raw("finish", ["w1", "100", "1", id, "RETRY", "", "E: x", "", "0.1", retryAt, "1", "0", "default"])
        }
        let after = try await client.job(id)
        #expect(after?.state == .started && after?.retries == before?.retries, "the job is still the child's, untouched")
        #expect(try connection.command("LRANGE", keys.inflight("w1"), "0", "-1").array?.compactMap(\.string) == [id])
    }

    @Test(arguments: ["2.5", "", "abc", "inf", "0", "-3", " 60"])
    func heartbeatRefusesALifetimeThatIsNotWholeSeconds(ttl: String) throws {
        #expect(throws: RedisError.self) { try raw("heartbeat", ["ghost", ttl, "1", "0", "1", "0", "name", "ghost"]) }
        #expect(try connection.command("EXISTS", keys.worker("ghost")).int == 0, "no record that would never expire")
    }

    @Test(arguments: ["inf", "nan", "1e999", " 3", "x"])
    func progressRefusesWhatANoticeCannotCarryBeforeWriting(current: String) async throws {
        let id = try await client.enqueue(EnqueueRequest(task: "progress"))
        try connection.command("HSET", keys.worker("w1"), "name", "w1")
        _ = try call(FetchCall(worker: "w1", pid: "100", queues: ["default"]))
        #expect(throws: RedisError.self) { try raw("progress", [id, current, "10", ""]) }
        let job = try await client.job(id)
        #expect(job?.state == .started && job?.progress == nil, "still STARTED, no progress written")
    }

    @Test func aSpacedSentTimeInARecordIsCorruptNotAHalfWrittenFetch() async throws {
        let poisoned = try await client.enqueue(EnqueueRequest(task: "noop"))
        let after = try await client.enqueue(EnqueueRequest(task: "noop"))
        try connection.command("HSET", keys.job(poisoned), "sent", " 5")
        try connection.command("HSET", keys.worker("w1"), "name", "w1")
        let taken = try call(FetchCall(worker: "w1", pid: "100", queues: ["default"], most: 2)).jobs
        #expect(taken.map(\.id) == [after], "the good job is handed out")
        let job = try await client.job(poisoned)
        #expect(job?.state == .failure && job?.exception?.contains("CorruptJobRecord: field 'sent'") == true, "\(String(describing: job))")
        #expect(try connection.command("LRANGE", keys.inflight("w1"), "0", "-1").array?.compactMap(\.string) == [after])
    }
}
