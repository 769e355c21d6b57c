import Foundation
import Petal
import PetalSystem

/// wrk -c 50 against the greeter's /status/<id> while its worker runs jobs: does the web app stay
/// fast while the queue is busy (tornado-slacker's lesson: never block the loop)?
struct GreeterBench {
    let greeterPath: String
    let redisURL: String
    let client: PetalClient

    func run() async throws -> String {
        let port = Bench.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = "warning"
        environment["REDIS_URL"] = redisURL
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let web = try ChildProcess.spawn(executable: greeterPath, arguments: ["web", "--port", String(port)], environment: environment,
                                         descriptors: [1: devNull, 2: devNull])
        let worker = try ChildProcess.spawn(executable: greeterPath, arguments: ["worker", "--concurrency", "2", "--name", "greeter-bench"],
                                            environment: environment, descriptors: [1: devNull, 2: devNull], newProcessGroup: true)
        defer {
            web.stop(grace: 5)
            worker.stop(grace: 10)
            kill(-worker.pid, SIGKILL)
        }
        let id = try await client.enqueue(EnqueueRequest(task: GreeterTasksName.expensiveGreet, args: ["Bench", 100]))
        // Keep the worker busy during the measurement.
        _ = try await client.enqueue(many: (0..<400).map { _ in EnqueueRequest(task: "progress", args: [20, 0.05]) })
        for _ in 0..<200 {
            if Self.isListening(port: port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let summary = try WrkRun(url: "http://127.0.0.1:\(port)/status/\(id)", connections: 50, seconds: 10).run()
        return "greeter /status under wrk -t2 -c50 -d10s while the worker runs jobs: \(summary)"
    }
}

extension GreeterBench {
    static func isListening(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

enum GreeterTasksName {
    static let expensiveGreet = "greeter.expensive_greet"
}
