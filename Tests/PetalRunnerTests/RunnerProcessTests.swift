import Foundation
import PetalRunner
import PetalSystem
import PetalTestSupport
import Testing

/// `petal start` as a real process, with a Procfile of shell commands.
@Suite("petal start", .serialized)
struct RunnerProcessTests {
    typealias Stack = RunnerStack

    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    @Test func aProcessExitingStopsTheRestWithItsStatus() async throws {
        // The quitter waits for the test to have seen both processes (a loaded machine may take
        // seconds to start them), then exits with 3.
        let go = FileManager.default.temporaryDirectory.appendingPathComponent("petal-go-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: go) }
        let stack = try Stack(procfile: "quitter: while [ ! -e \(go) ]; do sleep 0.05; done; exit 3\nsleeper: sleep 60\n")
        try await stack.waitForSocket()
        var pids: [Int32] = []
        try await Eventually.wait("both processes", timeout: 30) {
            pids = try stack.pids()
            return pids.count == 2
        }
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        #expect(stack.process.wait(upTo: 20) == .exited(3))
        #expect(pids.allSatisfy { !Self.isAlive($0) }, "no process left")
        #expect(stack.output.contains("quitter.1 exited with code 3"))
    }

    @Test func sigtermStopsEverythingAndKillsWhatIgnoresIt() async throws {
        let stack = try Stack(procfile: "stubborn: trap '' TERM; while true; do sleep 0.1; done\npolite: sleep 60\n", arguments: ["--timeout", "1"])
        try await stack.waitForSocket()
        let pids = try stack.pids()
        #expect(pids.count == 2)
        stack.process.signal(SIGTERM)
        #expect(stack.process.wait(upTo: 20) == .exited(0))
        try await Eventually.wait("all gone") { pids.allSatisfy { !Self.isAlive($0) } }
        #expect(stack.output.contains("stubborn.1 did not stop in 1s: SIGKILL"))
    }

    @Test func shutdownStopsTheProcfileInReverseOrder() async throws {
        // "last" takes half a second to go; "first" (Redis, say) must hear nothing until it has gone.
        let stack = try Stack(procfile: """
            first: trap 'echo first got TERM; exit 0' TERM; while true; do sleep 0.1; done
            last: trap 'echo last got TERM; sleep 0.5; exit 0' TERM; while true; do sleep 0.1; done

            """)
        try await stack.waitForSocket()
        try await Eventually.wait("both running") { try stack.pids().count == 2 }
        stack.process.signal(SIGINT)
        #expect(stack.process.wait(upTo: 20) == .exited(0))
        let output = stack.output
        let lastGone = try #require(output.range(of: "last.1 exited with code 0"))
        let firstTold = try #require(output.range(of: "first got TERM"))
        #expect(lastGone.lowerBound < firstTold.lowerBound, "\(output)")
        #expect(output.contains("first.1 exited with code 0"))
    }

    @Test func restartBringsACrashedProcessBack() async throws {
        let stack = try Stack(procfile: "flaky: echo up; sleep 0.3; exit 1\n", arguments: ["--restart"])
        try await Eventually.wait("restarted twice", timeout: 20) {
            stack.output.components(separatedBy: "flaky.1 | up").count >= 3
        }
        #expect(stack.output.contains("will restart in"))
        stack.process.signal(SIGINT)
        #expect(stack.process.wait(upTo: 20) == .exited(0))
    }

    @Test func scaleRestartAndStopOverTheSocket() async throws {
        let stack = try Stack(procfile: "worker: echo \"$PS on $PORT\"; exec sleep 60\nweb: exec sleep 60\n", arguments: ["-c", "worker=1", "-p", "7000"])
        try await stack.waitForSocket()
        #expect(try stack.request("scale worker=3").contains("\"ok\""))
        try await Eventually.wait("3 workers") { try stack.pids().count == 4 }
        try await Eventually.wait("worker.3's line, with its port") { stack.output.contains("worker.3 on 7002") }
        let before = try stack.pids()
        #expect(try stack.request("scale worker=1").contains("\"ok\""))
        try await Eventually.wait("1 worker") { try stack.pids().count == 2 }
        #expect(try stack.request("restart worker.1").contains("restarting"))
        try await Eventually.wait("worker.1 again") { stack.output.components(separatedBy: "worker.1 on 7000").count == 3 }
        #expect(try stack.request("stop web.1").contains("stopping"))
        try await Eventually.wait("web stopped") { try stack.pids().count == 1 }
        #expect(try stack.request("scale nosuch=1").contains("error"))
        #expect(try stack.request("bogus").contains("unknown request"))
        let last = try stack.pids()
        stack.process.signal(SIGTERM)
        #expect(stack.process.wait(upTo: 20) == .exited(0))
        try await Eventually.wait("nothing left") { (before + last).allSatisfy { !Self.isAlive($0) } }
        #expect(!FileManager.default.fileExists(atPath: stack.socket), "socket removed")
    }

    @Test func linesFromConcurrentWritersStayWhole() async throws {
        let line = String(repeating: "x", count: 300)
        // Two processes write long lines as fast as they can, then idle.
        let writer = "i=0; while [ $i -lt 2000 ]; do echo \"A\(line)Z\"; i=$((i+1)); done; exec sleep 60"
        let stack = try Stack(procfile: "a: \(writer)\nb: \(writer)\n")
        func written() -> [Substring] { stack.output.split(separator: "\n").filter { $0.contains("| A") } }
        try await Eventually.wait("4000 lines", timeout: 30) { written().count >= 4000 }
        stack.process.signal(SIGTERM)
        _ = stack.process.wait(upTo: 20)
        let lines = written()
        #expect(lines.count == 4000)
        #expect(lines.allSatisfy { $0.hasSuffix("A\(line)Z") })
    }
}
