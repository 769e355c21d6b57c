import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Petal's programs as a Redis ACL user limited to Petal's keys, channels and commands: the very
/// `ACL SETUSER` line docs/PROTOCOL.md gives operators, read from the page.
@Suite("An ACL user for Petal", .serialized)
struct ACLUserTests {
    let server: RedisServer
    let admin: RedisConnection

    init() throws {
        server = try RedisServer()
        admin = RedisConnection(configuration: server.configuration)
    }

    /// The documented rule's words, with `password` for CHANGE-ME.
    static func documentedRule(password: String) throws -> [String] {
        let page = try String(contentsOf: PetalBinary.root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        guard let line = page.split(separator: "\n").first(where: { $0.hasPrefix("ACL SETUSER petal ") }) else {
            throw TestSupportError("docs/PROTOCOL.md has no ACL SETUSER petal line")
        }
        return line.split(separator: " ").map { $0 == ">CHANGE-ME" ? ">\(password)" : String($0) }
    }

    /// Creates `user` with the documented rule, changed by `edit`.
    func createUser(_ user: String, edit: (inout [String]) -> Void = { _ in }) throws {
        var words = try Self.documentedRule(password: "s3cret")
        words[2] = user
        edit(&words)
        try admin.command(words.map { RedisArgument($0) })
    }

    func url(_ user: String) -> String { "redis://\(user):s3cret@127.0.0.1:\(server.port)" }

    @Test func theDocumentedRuleIsEnoughForEveryProgram() async throws {
        try createUser("petal")
        let worker = try await WorkerProcess(redis: server, concurrency: 2, redisURL: url("petal"))
        defer { worker.stop() }
        let call = try await PetalBinary.runOffThePool(["call", "add", "--args", "[20, 22]", "--redis", url("petal")])
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await PetalBinary.runOffThePool(["result", id, "--wait", "30", "--redis", url("petal")])
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(result.error)")
        let progress = try await PetalBinary.runOffThePool(["call", "progress", "3", "0.1", "--redis", url("petal")]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await PetalBinary.runOffThePool(["result", progress, "--wait", "30", "--redis", url("petal")]).code == 0)
        let grow = try await PetalBinary.runOffThePool(["control", "pool-grow", worker.name, "-n", "1", "--redis", url("petal")])
        #expect(grow.output.contains("pool will grow to 3"), "control messages and replies: \(grow.error)")
        let sleeper = try await PetalBinary.runOffThePool(["call", "sleep", "30", "--redis", url("petal")]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let client = server.petalClient()
        try await Eventually.job(client, sleeper, state: .started)
        #expect(try await PetalBinary.runOffThePool(["control", "revoke", sleeper, "--terminate", "--redis", url("petal")]).code == 0)
        #expect(try await Eventually.job(client, sleeper).state == .revoked)

        let monitor = try await ServiceProcess(program: "petal", arguments: ["monitor", "--redis", url("petal")], healthPath: "/healthcheck")
        for path in ["/healthcheck", "/", "/tasks", "/tasks?state=SUCCESS", "/queues", "/task/\(id)", "/worker/\(worker.name)",
                     "/api/workers", "/api/tasks", "/api/task/info/\(id)", "/metrics"] {
            let reply = try await monitor.http.get(path)
            #expect(reply.status == 200, "monitor \(path): \(reply.status) \(reply.body.prefix(300))")
        }
        let greeter = try await ServiceProcess(program: "greeter", arguments: ["web", "--redis", url("petal")],
                                               environment: ["GREETER_SECRET": String(repeating: "k", count: 40)], healthPath: "/healthz")
        #expect(try await greeter.http.get("/healthz").status == 200)
        #expect(try await greeter.http.get("/").status == 200)
        #expect(!worker.log.contains("NOPERM"), "the worker was refused nothing: \(worker.log.suffix(2000))")
        #expect(!monitor.log.contains("NOPERM") && !greeter.log.contains("NOPERM"))
    }

    @Test func aRefusedCommandIsNamed() async throws {
        // Inside a script: Redis does not name the command; Petal asks Redis and does.
        try createUser("no-xadd") { $0.removeAll { $0 == "+xadd" } }
        let call = try await PetalBinary.runOffThePool(["call", "noop", "--redis", url("no-xadd")])
        #expect(call.code != 0)
        #expect(call.error.contains("Redis refused XADD inside the function 'petal_enqueue' for ACL user 'no-xadd'"), "\(call.error)")
        // A command Petal sends itself: Redis names it, Petal says which call and which user.
        try createUser("no-numsub") { $0.removeAll { $0 == "+pubsub|numsub" } }
        let worker = try await PetalBinary.runOffThePool(["worker", "--redis", url("no-numsub"), "--concurrency", "1"])
        #expect(worker.code != 0, "a worker refused at start exits")
        #expect(worker.error.contains("Redis refused PUBSUB for ACL user 'no-numsub'"), "\(worker.error)")
        // A worker whose user may not write events is refused at its first heartbeat, before any
        // child could take a job and be refused half-way (the jobs stay PENDING, untouched).
        let waiting = try await server.petalClient().enqueue(many: (0..<3).map { _ in EnqueueRequest(task: "noop") })
        let refusedWorker = try await PetalBinary.runOffThePool(["worker", "--redis", url("no-xadd"), "--concurrency", "1"])
        #expect(refusedWorker.code != 0, "a worker refused at start exits")
        #expect(refusedWorker.error.contains("Redis refused XADD inside the function 'petal_heartbeat'"), "\(refusedWorker.error)")
        #expect(try await server.petalClient().jobs(waiting).allSatisfy { $0?.state == .pending && $0?.worker == nil })
        // Keys outside the user's pattern.
        try createUser("elsewhere") { words in words = words.map { $0 == "~petal:*" ? "~other:*" : $0 } }
        let keys = try await PetalBinary.runOffThePool(["call", "noop", "--redis", url("elsewhere")])
        #expect(keys.error.contains("uses keys like petal:acl-probe, which ACL user 'elsewhere' may not touch"), "\(keys.error)")
        // A wrong password is an authentication failure, said as such.
        let wrong = try await PetalBinary.runOffThePool(["status", "x", "--redis", "redis://petal:nope@127.0.0.1:\(server.port)"])
        #expect(wrong.error.contains("WRONGPASS"), "\(wrong.error)")
        #expect(!wrong.error.contains("nope"), "the password is not echoed")
    }
}
