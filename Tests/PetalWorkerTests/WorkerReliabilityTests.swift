import Foundation
import Petal
import PetalRedis
import PetalSystem
import PetalTestSupport
import Testing

/// Issue 10 with real workers: corrupt records (defect 6), Redis out of memory (defect 7), a name
/// already live (defect 10) and active jobs shown at once (defect 10).
@Suite("Worker reliability", .serialized)
struct WorkerReliabilityTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    private func command(_ words: String...) async throws -> RedisValue {
        try await server.redisClient().command(words.map { RedisArgument($0) })
    }

    private func events(_ type: String, id: String) async throws -> Int {
        (try await command("XRANGE", client.keys.events, "-", "+").array ?? [])
            .compactMap { $0.array?.last?.fieldMap }.filter { $0["id"] == id && $0["type"] == type }.count
    }

    @Test func corruptRecordsFailNamingTheFieldAndTheWorkerCarriesOn() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        let fields = ["deliveries", "sent", "eta", "expires", "retries", "max_retries", "redeliveries"]
        // Parked on a queue nobody consumes, made corrupt, then moved where the worker takes them.
        var corrupt: [(String, String)] = []
        for field in fields {
            let id = try await client.enqueue(EnqueueRequest(task: "noop", queue: "parked"))
            _ = try await command("HSET", client.keys.job(id), field, "abc")
            corrupt.append((id, field))
        }
        for _ in fields { _ = try await command("RPOPLPUSH", client.keys.queue("parked"), client.keys.queue("default")) }
        for (id, field) in corrupt {
            let job = try await Eventually.job(client, id)
            #expect(job.state == .failure)
            #expect(job.exception?.contains("field '\(field)' is 'abc'") == true, "\(job.exception ?? "")")
        }
        #expect(try await command("LLEN", client.keys.inflight(worker.name)).int == 0)
        let after = try await client.enqueue(EnqueueRequest(task: "add", args: [20, 22]))
        #expect(try await Eventually.job(client, after).result == 42)
        #expect(!worker.log.contains("Redis unavailable"), "no script error is reported as an outage")
        #expect(!worker.log.contains("Redis is back"))
    }

    @Test func aFullRedisDoesNotMakeAJobRunTwice() async throws {
        // Heartbeats every 0.5 s live 3 s; Redis stays full for longer than that.
        let first = try await WorkerProcess(redis: server, concurrency: 1)
        let second = try await WorkerProcess(redis: server, concurrency: 1)
        defer { first.stop(); second.stop() }
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [12]))
        let started = try await Eventually.job(client, id, state: .started)
        let holder = try #require(started.worker)
        // Both workers' reapers are armed (they wait a heartbeat lifetime after reaching Redis).
        try await Task.sleep(for: .seconds(4))

        // Fill it, then set the limit under what it holds: every write that needs memory fails
        // (a limit just above usage lets small heartbeats through whenever a little is freed).
        _ = try await command("CONFIG", "SET", "maxmemory-policy", "noeviction")
        let chunk = String(repeating: "x", count: 100_000)
        let fillers = 30
        for index in 0..<fillers { _ = try await command("SET", "filler:\(index)", chunk) }
        let info = try await command("INFO", "memory").string ?? ""
        let used = info.split(separator: "\r\n").first { $0.hasPrefix("used_memory:") }.flatMap { Int($0.dropFirst(12)) } ?? 0
        _ = try await command("CONFIG", "SET", "maxmemory", String(used / 2))
        await #expect { _ = try await command("SET", "one-more", "x") } throws: { "\($0)".contains("OOM") }
        try await Eventually.wait("the holder's heartbeat to expire while Redis is full", timeout: 20) {
            try await command("EXISTS", client.keys.worker(holder)).int == 0
        }
        // Long enough for the other worker's reaper to come round a few times while it is full.
        try await Task.sleep(for: .seconds(2))
        _ = try await command("CONFIG", "SET", "maxmemory", "0")
        for index in 0..<fillers { _ = try await command("DEL", "filler:\(index)") }

        let done = try await Eventually.job(client, id, timeout: 40)
        #expect(done.state == .success, "\(done.exception ?? "") \(first.log.suffix(3000)) \(second.log.suffix(3000))")
        #expect(done.worker == holder)
        #expect(done.deliveries == 1, "the job was handed out \(done.deliveries) times")
        #expect(try await events("task-started", id: id) == 1, "it ran on one worker only")
        #expect(try await events("task-succeeded", id: id) == 1)
        #expect(try await command("LLEN", client.keys.queue("default")).int == 0)
        #expect(try await command("LLEN", client.keys.inflight(first.name)).int == 0)
        #expect(try await command("LLEN", client.keys.inflight(second.name)).int == 0)
        #expect(try await client.totals().succeeded == 1)
    }

    @Test func aNameAlreadyLiveIsRefusedAtStart() async throws {
        let live = try await WorkerProcess(redis: server, concurrency: 1)
        defer { live.stop() }
        let again = try PetalBinary.run(["worker", "--redis", server.url, "--name", live.name, "--concurrency", "1"])
        #expect(again.code != 0)
        #expect((again.output + again.error).contains("already running"), "\(again.output) \(again.error)")
        // Its heartbeat gone (as when Redis was full), the live worker still holds its name.
        _ = try await command("DEL", client.keys.worker(live.name))
        let stillRefused = try PetalBinary.run(["worker", "--redis", server.url, "--name", live.name, "--concurrency", "1"])
        #expect(stillRefused.code != 0)
        #expect((stillRefused.output + stillRefused.error).contains("already running"))
    }

    @Test func inspectActiveShowsAStartedJobAtOnce() async throws {
        // A heartbeat every 30 s: what inspect shows cannot come from the heartbeat.
        let worker = try await WorkerProcess(redis: server, concurrency: 1, heartbeatInterval: 30)
        defer { worker.stop() }
        let id = try await client.enqueue(EnqueueRequest(task: "sleep", args: [30]))
        _ = try await Eventually.job(client, id, state: .started)
        let active = try PetalBinary.run(["inspect", "active", "--redis", server.url])
        #expect(active.code == 0)
        #expect(active.output.contains(id), "\(active.output)")
        #expect(try await client.worker(worker.name)?.active.map(\.id) == [id])
        #expect(try await client.revoke(id, terminate: true) == .running)
    }

    @Test func aWorkerQueueMustFollowTheQueueNameRule() throws {
        let result = try PetalBinary.run(["worker", "--redis", server.url, "-q", "a b"])
        #expect(result.code != 0)
        #expect(result.error.contains("queue name 'a b' must be"), "\(result.error)")
    }
}
