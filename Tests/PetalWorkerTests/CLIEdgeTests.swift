import Foundation
import Petal
import PetalTestSupport
import PetalRedis
import PetalSystem
import Testing

/// The command lines as people mistype them: numbers out of range, negative values, unknown
/// options, missing files, --help everywhere, and passwords that must not be echoed.
@Suite("Command lines at the edges", .serialized)
struct CLIEdgeTests {
    let server: RedisServer

    init() throws { server = try RedisServer() }

    @Test func outOfRangeNumbersAreUsageErrorsNotCrashes() throws {
        for (option, value) in [("--expires", "1e19"), ("--countdown", "inf"), ("--countdown", "nan"), ("--soft-time-limit", "-1"),
                                ("--time-limit", "1e300"), ("--max-retries", "99999999")] {
            let run = try PetalBinary.run(["call", "hello", "x", option, value, "--redis", server.url])
            #expect(run.code == 64, "\(option) \(value): exit \(run.code) \(run.error)")
            #expect(!run.error.isEmpty)
        }
        let eta = try PetalBinary.run(["call", "hello", "x", "--eta", "99999-01-01T00:00:00Z", "--redis", server.url])
        #expect(eta.code == 64, "\(eta.error)")
    }

    /// `--help` says every command takes --redis: given before the command, it works too.
    @Test func redisBeforeTheCommandWorks() throws {
        let add = try PetalBinary.run(["--redis", server.url, "schedule", "add", "tick", "--task", "noop", "--every", "1h"])
        #expect(add.code == 0 && add.output.contains("tick: created"), "\(add)")
        let list = try PetalBinary.run(["--redis=\(server.url)", "schedule", "list"])
        #expect(list.code == 0 && list.output.contains("tick"), "\(list)")
        let inspect = try PetalBinary.run(["--redis", server.url, "inspect", "rate-limits"])
        #expect(inspect.code == 0 && inspect.output.contains("no rate limits"), "\(inspect)")
        let paused = try PetalBinary.run(["schedule", "pause", "tick", "--redis", server.url])
        #expect(paused.code == 0, "\(paused)")
        let replaced = try PetalBinary.run(["schedule", "add", "tick", "--task", "noop", "--every", "2h", "--redis", server.url])
        #expect(replaced.output.contains("tick: replaced, paused"), "a paused schedule stays paused, with no next run: \(replaced)")
    }

    @Test func negativeNumbersAreValues() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let call = try PetalBinary.run(["call", "add", "-1", "2", "--redis", server.url])
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try PetalBinary.run(["result", id, "--wait", "20", "--redis", server.url])
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        let first = try PetalBinary.run(["call", "add", "1", "2", "--id", "cli-once", "--redis", server.url])
        let again = try PetalBinary.run(["call", "add", "1", "2", "--id", "cli-once", "--redis", server.url])
        #expect(first.output == "cli-once\n" && again.output == "cli-once\n")
        #expect(try await Eventually.job(server.petalClient(poolSize: 1), "cli-once").deliveries == 1, "ran once")
        let typo = try PetalBinary.run(["call", "add", "1", "--queu", "x", "--redis", server.url])
        #expect(typo.code == 64)
        #expect(typo.error.contains("--queu"))
    }

    @Test func tasksGivenHostileNumbersFailWithAMessageNotACrash() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        let client = server.petalClient(poolSize: 1)
        for args: [JSONValue] in [[1e300], [2.5], ["inf"], [-3], [10, "nan"]] {
            let id = try await client.enqueue(EnqueueRequest(task: "progress", args: args))
            let job = try await Eventually.job(client, id)
            #expect(job.state == .failure, "\(args)")
            // `progress` is typed: its arguments are refused by name and type (`args[0] (total): expected Int, got 2.5 …`).
            #expect(job.exception?.hasPrefix("InvalidArguments: ") == true, "\(args): \(job.exception ?? "")")
        }
        let flaky = try await client.enqueue(EnqueueRequest(task: "flaky", args: [1e300]))
        #expect(try await Eventually.job(client, flaky).exception?.hasPrefix("TaskFailure") == true, "the child survived the number")
        #expect(!worker.log.contains("Fatal error"), "no child trapped")
    }

    @Test func everyExecutableHasHelpAndCleanErrors() throws {
        for (program, arguments) in [("petal", ["--help"]), ("petal", ["worker", "--help"]), ("petal", ["monitor", "--help"]),
                                     ("petal", ["run", "--help"]), ("petal", ["start", "--help"]), ("greeter", ["--help"]),
                                     ("greeter", ["web", "--help"]), ("greeter", ["worker", "--help"]), ("petal-bench", ["--help"])] {
            let run = try PetalBinary.run(arguments, program: program)
            #expect(run.code == 0, "\(program) \(arguments): \(run.code) \(run.error)")
            #expect(run.output.contains("USAGE"), "\(program) \(arguments): \(run.output.prefix(200))")
            #expect(!run.output.contains("/usr/bin/env"), "\(program) \(arguments) prints its own help")
        }
        let missing = try PetalBinary.run(["check", "-f", "/nonexistent/Procfile"])
        #expect(missing.code != 0 && missing.code < 128, "a clean error, not a crash")
        #expect(missing.error.contains("/nonexistent/Procfile"))
        let bench = try PetalBinary.run(["--petal", "/nonexistent/petal"], program: "petal-bench")
        #expect(bench.code == 64)
        #expect(bench.error.contains("/nonexistent/petal"))
    }

    @Test func passwordsAreNeverEchoed() throws {
        for url in ["redis://:hunter2@127.0.0.1:notaport", "redis://ops:hunter2@127.0.0.1:1", "redis://127.0.0.1:1/0?password=hunter2",
                    "rediz://ops:hunter2@127.0.0.1", "hunter2@127.0.0.1:1"] {
            let run = try PetalBinary.run(["call", "add", "1", "--redis", url])
            #expect(run.code != 0)
            #expect(!run.error.contains("hunter2"), "\(url): \(run.error)")
            #expect(!run.output.contains("hunter2"))
        }
    }
}

/// A Redis password given on the command line is not readable by other users of the machine:
/// not in the supervisor's argv, not in its children's argv or environment.
@Suite("Passwords out of sight", .serialized)
struct PasswordVisibilityTests {
    @Test func aWorkersPasswordIsNotInProcOfAnyOfItsProcesses() async throws {
        let server = try RedisServer()
        try await server.redisClient().command("CONFIG", "SET", "requirepass", "hunter2")
        let url = "redis://:hunter2@127.0.0.1:\(server.port)"
        let client = PetalClient(redis: try RedisClient(url: url, poolSize: 1))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let descriptor = open(log, O_WRONLY)
        let worker = try ChildProcess.spawn(executable: try PetalBinary.path(), arguments: ["worker", "--redis", url, "--name", "pw-test",
                                            "--concurrency", "2", "--heartbeat-interval", "0.5"],
                                            environment: ProcessInfo.processInfo.environment, descriptors: [1: descriptor, 2: descriptor],
                                            newProcessGroup: true)
        close(descriptor)
        defer {
            _ = worker.stop(grace: 10)
            kill(-worker.pid, SIGKILL)
            try? FileManager.default.removeItem(atPath: log)
        }
        try await Eventually.wait("the worker online", timeout: 20) { try await client.worker("pw-test")?.children.count == 2 }
        let id = try await client.enqueue(EnqueueRequest(task: "add", args: [2, 3]))
        #expect(try await Eventually.job(client, id).state == .success, "children reach Redis with the password")
        let children = try #require(try await client.worker("pw-test")).children
        for pid in [Int(worker.pid)] + children {
            for file in ["cmdline", "environ"] {
                let contents = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/\(file)"))) ?? Data()
                #expect(!contents.isEmpty || file == "environ", "/proc/\(pid)/\(file) was read")
                #expect(String(decoding: contents, as: UTF8.self).contains("hunter2") == false, "/proc/\(pid)/\(file)")
            }
        }
        let cmdline = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(worker.pid)/cmdline")), as: UTF8.self)
        #expect(cmdline.contains("redis://:*******@127.0.0.1"), "masked in place, same length")
    }

    @Test func theMonitorsBasicAuthPasswordIsNotInItsArgv() async throws {
        let server = try RedisServer()
        let port = try FreePort.find()
        let monitor = try ChildProcess.spawn(executable: try PetalBinary.path(),
                                             arguments: ["monitor", "--port", String(port), "--redis", server.url,
                                                         "--basic-auth", "admin:hunter2"],
                                             environment: ProcessInfo.processInfo.environment, descriptors: [:])
        defer { _ = monitor.stop(grace: 5) }
        let http = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        try await Eventually.wait("the monitor listening", timeout: 30) { try await http.get("/healthcheck").status == 200 }
        let cmdline = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(monitor.pid)/cmdline")), as: UTF8.self)
        #expect(!cmdline.contains("hunter2"))
        #expect(cmdline.contains("admin:*******"))
    }
}
