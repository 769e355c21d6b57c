import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// The `petal` command line against a real worker: what the "done when" does by hand.
@Suite("petal CLI", .serialized)
struct CLITests {
    let server: RedisServer

    init() throws { server = try RedisServer() }

    @Test func callThenFollowStatusToSuccess() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let call = try PetalBinary.run(["call", "progress", "10", "0.2", "--redis", server.url])
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(UUID(uuidString: id) != nil)
        var seen: Set<String> = []
        try await Eventually.wait("SUCCESS via petal status", timeout: 30, interval: 0.2) {
            let status = try PetalBinary.run(["status", id, "--redis", server.url])
            let words = status.output.split(separator: " ")
            if words.count > 2 { seen.insert(String(words[2])) }
            return status.output.contains("SUCCESS")
        }
        #expect(seen.contains("PROGRESS"))
        let json = try PetalBinary.run(["status", id, "--json", "--redis", server.url])
        let record = try JSONValue(parsing: json.output)
        #expect(record["state"] == "SUCCESS")
        #expect(record["progress"]?["current"] == 10)
        let result = try PetalBinary.run(["result", id, "--redis", server.url])
        #expect(result.code == 0)
        #expect(try JSONValue(parsing: result.output)["completed"] == 10)
    }

    @Test func resultWaitsAndReportsFailures() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let add = try PetalBinary.run(["call", "add", "--args", "[2, 40]", "--redis", server.url]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let added = try PetalBinary.run(["result", add, "--wait", "20", "--redis", server.url])
        #expect(added.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42")
        let fail = try PetalBinary.run(["call", "fail", "boom", "--redis", server.url]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let failed = try PetalBinary.run(["result", fail, "--wait", "20", "--redis", server.url])
        #expect(failed.code == 1)
        #expect(failed.error.contains("FAILURE: TaskFailure: boom"))
    }

    @Test func inspectAndControlReachTheWorker() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let workers = try PetalBinary.run(["inspect", "workers", "--redis", server.url])
        #expect(workers.output.contains("\(worker.name) online"))
        let grow = try PetalBinary.run(["control", "pool-grow", worker.name, "-n", "1", "--redis", server.url])
        #expect(grow.code == 0)
        #expect(grow.output.contains("pool will grow to 3"))
        let ping = try PetalBinary.run(["inspect", "ping", "--redis", server.url])
        #expect(ping.output.contains("\(worker.name): pong"))
        let registered = try PetalBinary.run(["inspect", "registered", "--redis", server.url])
        #expect(registered.output.contains("cpu_burn"))
        let queues = try PetalBinary.run(["inspect", "queues", "--json", "--redis", server.url])
        #expect(try JSONValue(parsing: queues.output).arrayValue?.first?["name"] == "default")
        let sleeper = try PetalBinary.run(["call", "sleep", "30", "--redis", server.url]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let client = server.petalClient(poolSize: 1)
        _ = try await Eventually.job(client, sleeper, state: .started)
        let revoke = try PetalBinary.run(["control", "revoke", sleeper, "--terminate", "--redis", server.url])
        #expect(revoke.output.contains("terminating"))
        #expect(try await Eventually.job(client, sleeper).state == .revoked)
        let shutdown = try PetalBinary.run(["control", "shutdown", worker.name, "--redis", server.url])
        #expect(shutdown.output.contains("shutting down"))
        #expect(worker.waitForExit(timeout: 20) == .exited(0))
    }

    @Test func badInputGetsAClearErrorAndNonZeroExit() throws {
        let badJSON = try PetalBinary.run(["call", "add", "--args", "{not json", "--redis", server.url])
        #expect(badJSON.code != 0)
        #expect(badJSON.error.contains("--args is not valid JSON"))
        let badURL = try PetalBinary.run(["status", "x", "--redis", "http://nope"])
        #expect(badURL.code != 0)
        #expect(badURL.error.contains("unknown scheme"))
        let unknown = try PetalBinary.run(["status", "no-such-id", "--redis", server.url])
        #expect(unknown.code == 2)
        let port = try FreePort.find()
        let down = try PetalBinary.run(["call", "noop", "--redis", "redis://127.0.0.1:\(port)"])
        #expect(down.code == 69)
        #expect(down.error.contains("Redis connection failed"))
        let noWorker = try PetalBinary.run(["control", "pool-grow", "nobody", "--timeout", "0.3", "--redis", server.url])
        #expect(noWorker.code == 1)
        #expect(noWorker.error.contains("no worker named nobody is online"), "said at once, not after the wait: \(noWorker.error)")
        let help = try PetalBinary.run(["call", "--help"])
        #expect(help.output.contains("--soft-time-limit"))
    }
}
