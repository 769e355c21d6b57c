import Foundation
import Petal
import PetalTestSupport
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

    @Test func negativeNumbersAreValues() async throws {
        let worker = try await WorkerProcess(redis: server)
        defer { worker.stop() }
        let call = try PetalBinary.run(["call", "add", "-1", "2", "--redis", server.url])
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try PetalBinary.run(["result", id, "--wait", "20", "--redis", server.url])
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        let typo = try PetalBinary.run(["call", "add", "1", "--queu", "x", "--redis", server.url])
        #expect(typo.code == 64)
        #expect(typo.error.contains("--queu"))
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
                    "rediz://ops:hunter2@127.0.0.1"] {
            let run = try PetalBinary.run(["call", "add", "1", "--redis", url])
            #expect(run.code != 0)
            #expect(!run.error.contains("hunter2"), "\(url): \(run.error)")
            #expect(!run.output.contains("hunter2"))
        }
    }
}
