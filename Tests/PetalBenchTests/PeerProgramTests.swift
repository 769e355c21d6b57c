import Foundation
@testable import PetalBench
import Testing

/// How the bench runs a peer's program and reads it: real processes (`/bin/sh` scripts standing in
/// for the Ruby and Python programs, which follow the same contract), no Redis needed.
@Suite("The bench's peers: programs and their result lines")
struct PeerProgramTests {
    /// A shell script as a peer's program: `sh script REDIS_URL MODE …`.
    static func program(_ body: String) throws -> (PeerProgram, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).sh").path
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return (PeerProgram(interpreter: "/bin/sh", script: path), path)
    }

    @Test func aResultLineIsRead() throws {
        let run = try #require(PeerRun(line: "result jobs=5000 seconds=2.5 first=0.125"))
        #expect(run.jobs == 5000)
        #expect(run.seconds == 2.5)
        #expect(run.first == 0.125)
        #expect(PeerRun(line: "result jobs=10 seconds=1")?.first == nil)
    }

    @Test(arguments: ["result jobs=10", "result seconds=1", "result jobs=10 seconds=0", "jobs=10 seconds=1",
                      "result jobs=ten seconds=1", "[WARNING] result jobs=10 seconds=1", ""])
    func aLineThatIsNotAResultIsNot(_ line: String) {
        #expect(PeerRun(line: Substring(line)) == nil)
    }

    @Test func theProgramGetsTheRedisURLAndModeAndItsResultLineIsFoundAmongOthers() async throws {
        let (program, path) = try Self.program("""
            echo "some warning" >&2
            echo "starting $2 $3"
            [ "$1" = redis://127.0.0.1:1 ] && [ "$2" = drain ] && [ "$3" = 7 ] && [ "$4" = solo ] && echo "result jobs=$3 seconds=0.5 first=0.01"
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try await program.measure(redisURL: "redis://127.0.0.1:1", ["drain", "7", "solo"])
        #expect(run.jobs == 7)
        #expect(run.seconds == 0.5)
    }

    @Test func aProgramThatFailsIsAnErrorQuotingItsStandardError() async throws {
        let (program, path) = try Self.program("echo 'result jobs=1 seconds=1'; echo 'cannot reach Redis' >&2; exit 3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: BenchError.self) { try await program.measure(redisURL: "redis://x", ["bulk", "1"]) }
        #expect(error?.description.contains("exited with code 3") == true)
        #expect(error?.description.contains("cannot reach Redis") == true)
    }

    @Test func aProgramWithoutAResultLineIsAnError() async throws {
        let (program, path) = try Self.program("echo done")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: BenchError.self) { try await program.measure(redisURL: "redis://x", ["enqueue", "1"]) }
        #expect(error?.description.contains("no result line") == true)
    }

    @Test func aProgramOutOfTimeIsStoppedAndReaped() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("peer-pid-\(UUID().uuidString)").path
        let (program, path) = try Self.program("echo $$ > \(marker); exec sleep 30")
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: marker) }
        let error = await #expect(throws: BenchError.self) { try await program.measure(redisURL: "redis://x", ["drain", "1"], timeout: 1) }
        #expect(error?.description.contains("still running after 1 s") == true)
        let pid = try #require(Int32(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH)  // killed and reaped, not a zombie
    }

    @Test func aMissingInterpreterOrScriptIsAReasonToSkip() async throws {
        let missing = PeerProgram(interpreter: "/nonexistent/python", script: "/bin/sh")
        guard case .failure(let reason) = await missing.version(redisURL: "redis://x") else { Issue.record("no failure"); return }
        #expect(reason.description.contains("/nonexistent/python"))
        let (program, path) = try Self.program("echo 'version Peer 1.2 (Shell)'")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await program.version(redisURL: "redis://x").get() == "Peer 1.2 (Shell)")
    }
}

@Suite("The bench's peers: the side-by-side table")
struct PeerTableTests {
    @Test func eachPeerIsDividedIntoPetalsRatesOfItsGroup() throws {
        var table = PeerTable()
        table.add(.drain, "Petal -c 2", .measured(PeerRun(jobs: 1000, seconds: 0.5, first: 0.01), redisMicrosPerJob: 90))
        table.add(.drain, "Petal -c 4", .measured(PeerRun(jobs: 1000, seconds: 0.25), redisMicrosPerJob: 80))
        table.add(.drain, "Other 1.0 -c 10", .measured(PeerRun(jobs: 500, seconds: 1), redisMicrosPerJob: 40))
        table.add(.single, "Petal enqueue", .measured(PeerRun(jobs: 100, seconds: 0.1), redisMicrosPerJob: 20))
        table.add(.single, "Other 1.0 push", .measured(PeerRun(jobs: 100, seconds: 0.5), redisMicrosPerJob: 30))
        table.add(.bulk, "Other 1.0 bulk", .failed("bulk exited with code 1"))
        table.skip("Third", reason: "not installed")
        let lines = table.render(title: "T").split(separator: "\n").map(String.init)
        let other = try #require(lines.first { $0.contains("Other 1.0 -c 10") })
        // 2,000 and 4,000 jobs/s against 500: 4× and 8×.
        #expect(other.hasSuffix("4.00× / 8.00×"))
        #expect(other.contains("      500"))
        #expect(lines.first { $0.contains("Other 1.0 push") }?.hasSuffix("5.00×") == true)
        #expect(lines.contains { $0.contains("Other 1.0 bulk") && $0.contains("failed: bulk exited with code 1") })
        #expect(lines.last == "skipped: Third: not installed")
        #expect(lines.first { $0.hasPrefix("  Petal -c 2") }?.contains("2,000") == true)
    }
}
