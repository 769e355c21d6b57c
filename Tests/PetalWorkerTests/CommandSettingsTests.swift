import Foundation
import Petal
import PetalRedis
import PetalSystem
import PetalTestSupport
import Testing

/// Settings from the environment as the commands take them, each a real process: `greeter web`
/// and `greeter worker` under PETAL_PREFIX (the greeter once ignored it), an option winning over
/// its variable, and a variable set to nonsense refused by name.
@Suite("Command settings", .serialized)
struct CommandSettingsTests {
    let server: RedisServer

    init() throws { server = try RedisServer() }

    /// Every key in this Redis.
    func allKeys() async throws -> [String] {
        try await server.redisClient().command("KEYS", "*").array?.compactMap(\.string) ?? []
    }

    @Test func theGreeterWebAndWorkerHonourPETAL_PREFIX() async throws {
        let shop = server.petalClient(poolSize: 1, keys: Keys(prefix: "shop"))
        let worker = try await WorkerProcess(redis: server, program: "greeter", environment: ["PETAL_PREFIX": "shop"], keyPrefix: "shop")
        defer { worker.stop() }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(["PETAL_PREFIX": "shop", "REDIS_URL": server.url, "GREETER_SECRET": "test-secret", "PETAL_LOG_LEVEL": "warning"]) { $1 }
        let (web, base) = try await Self.startGreeterWeb(environment: environment)
        defer { web.stop(grace: 5) }

        let posted = try await RealClient.curl(["--data-binary", "person=Prefix&total=1", base + "/greet"])
        #expect(posted.status == 303, "\(posted.body.prefix(200))")
        let id = String(try #require(posted.headers["location"]).dropFirst("/wait/".count))
        let job = try await Eventually.job(shop, id)
        #expect(job.state == .success, "the greeter worker ran the job the greeter web enqueued, both under shop:")
        let status = try JSONValue(parsing: try await RealClient.curl([base + "/status/\(id)"]).body)
        #expect(status["state"] == "SUCCESS")
        #expect(try await server.petalClient(poolSize: 1).job(id) == nil, "nothing under the default prefix")
        let keys = try await allKeys()
        #expect(!keys.isEmpty)
        #expect(keys.allSatisfy { $0.hasPrefix("shop:") }, "\(keys.filter { !$0.hasPrefix("shop:") }.prefix(5))")
    }

    /// `greeter web` on a free port; on another if the port was taken before the greeter bound it.
    static func startGreeterWeb(environment: [String: String]) async throws -> (ChildProcess, String) {
        for _ in 0..<3 {
            let port = try FreePort.find()
            let devNull = open("/dev/null", O_WRONLY)
            let web = try ChildProcess.spawn(executable: try PetalBinary.path("greeter"), arguments: ["web", "--port", String(port)],
                                             environment: environment, descriptors: [1: devNull, 2: devNull])
            close(devNull)
            let base = "http://127.0.0.1:\(port)"
            try await Eventually.wait("greeter web listening or gone", timeout: 60) {
                if web.poll() != nil { return true }
                return try await RealClient.curl([base + "/healthz"]).status == 200
            }
            if web.poll() == nil { return (web, base) }
        }
        throw TestSupportError("greeter web did not start on any of three ports")
    }

    @Test func anOptionWinsOverItsVariable() async throws {
        let worker = try await WorkerProcess(redis: server, program: "greeter", extraArguments: ["--prefix", "chosen"],
                                             environment: ["PETAL_PREFIX": "ignored"], keyPrefix: "chosen")
        defer { worker.stop() }
        let chosen = server.petalClient(poolSize: 1, keys: Keys(prefix: "chosen"))
        #expect(try await chosen.worker(worker.name)?.online == true)
        #expect(try await allKeys().allSatisfy { !$0.hasPrefix("ignored:") })
        // And `petal worker` reads PETAL_PREFIX the same way (one RedisOptions for both).
        let petal = try await WorkerProcess(redis: server, environment: ["PETAL_PREFIX": "shared"], keyPrefix: "shared")
        defer { petal.stop() }
        let call = try await PetalBinary.runOffThePool(["call", "add", "2", "3", "--redis", server.url], environment: ["PETAL_PREFIX": "shared"])
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await Eventually.job(server.petalClient(poolSize: 1, keys: Keys(prefix: "shared")), id).result == 5)
    }

    @Test func aVariableSetToNonsenseIsRefusedByName() async throws {
        let cases: [(program: String, arguments: [String], environment: [String: String], names: String)] = [
            ("greeter", ["web"], ["GREETER_PORT": "abc"], "GREETER_PORT='abc'"),
            ("greeter", ["worker"], ["GREETER_SOFT_TIME_LIMIT": "-1"], "GREETER_SOFT_TIME_LIMIT='-1'"),
            ("greeter", ["worker"], ["GREETER_SOFT_TIME_LIMIT": "nan"], "GREETER_SOFT_TIME_LIMIT='nan'"),
            ("petal", ["monitor"], ["MONITOR_PORT": "99999"], "MONITOR_PORT='99999'"),
            ("petal", ["monitor"], ["MONITOR_BASIC_AUTH": "no-colon"], "MONITOR_BASIC_AUTH"),
        ]
        for (program, arguments, environment, names) in cases {
            let run = try await PetalBinary.runOffThePool(arguments + ["--redis", server.url], program: program, environment: environment)
            #expect(run.code == 64, "\(program) \(arguments) \(environment): exit \(run.code) \(run.error)")
            #expect(run.error.contains(names), "\(program) \(arguments): \(run.error)")
        }
    }
}
