import Foundation
import Synchronization

/// A web app a test runs in-process on a free port. Between `FreePort.find()` and the app's bind,
/// something else on this machine may take the port (another suite's redis-server, a client's
/// ephemeral port, another checkout's tests): when the app's run ends before it answers, it is
/// started again on another port, so the test never waits on a server that cannot come.
public enum InProcessServer {
    /// Runs `run(port)` in a task until `isReady(port)`; returns the port and the task (cancel it
    /// to stop the app). `timeout` is for readiness, not speed: at the start of a full run every
    /// suite starts at once on two shared cores.
    public static func start(attempts: Int = 5, timeout: Double = 60, run: @escaping @Sendable (Int) async throws -> Void,
                             isReady: (Int) async throws -> Bool) async throws -> (port: Int, task: Task<Void, any Error>) {
        var failures: [String] = []
        for _ in 0..<attempts {
            let port = try FreePort.find()
            let outcome = Outcome()
            let task = Task {
                do { try await run(port) } catch { outcome.end("\(error)"); throw error }
                outcome.end("the app stopped")
            }
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, outcome.ended == nil {
                if (try? await isReady(port)) == true { return (port, task) }
                try await Task.sleep(for: .milliseconds(50))
            }
            task.cancel()
            guard let ended = outcome.ended else { throw TestSupportError("the app on port \(port) did not answer within \(timeout) s") }
            failures.append("port \(port): \(ended)")
        }
        throw TestSupportError("the app did not start: \(failures.joined(separator: "; "))")
    }

    private final class Outcome: Sendable {
        private let reason = Mutex<String?>(nil)
        var ended: String? { reason.withLock { $0 } }
        func end(_ why: String) { reason.withLock { $0 = $0 ?? why } }
    }
}
