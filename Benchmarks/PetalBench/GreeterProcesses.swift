import Foundation
import PetalHarness
import PetalSystem

/// `greeter web` on a free port and `greeter worker` against the bench's Redis: the release
/// executables in processes of their own, quiet, as the greeter's sections measure them.
struct GreeterProcesses {
    let port: Int
    let web: ChildProcess
    let worker: ChildProcess

    /// Starts both and waits until the web process listens.
    init(greeterPath: String, redisURL: String, concurrency: Int, workerName: String) async throws {
        port = try FreePort.find()
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = "warning"
        environment["REDIS_URL"] = redisURL
        environment["GREETER_SECRET"] = "bench"
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        web = try ChildProcess.spawn(executable: greeterPath, arguments: ["web", "--port", String(port)], environment: environment,
                                     descriptors: [1: devNull, 2: devNull])
        worker = try ChildProcess.spawn(executable: greeterPath,
                                        arguments: ["worker", "--concurrency", String(concurrency), "--name", workerName],
                                        environment: environment, descriptors: [1: devNull, 2: devNull], newProcessGroup: true)
        for _ in 0..<200 where !LoopbackSocket.isListening(port: port) { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// SIGTERM to both; the worker's children go with its process group.
    func stop() {
        web.stop(grace: 5)
        worker.stop(grace: 10)
        kill(-worker.pid, SIGKILL)
    }
}
