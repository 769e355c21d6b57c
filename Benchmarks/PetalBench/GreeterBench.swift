import Foundation
import Petal

/// wrk -c 50 against the greeter's /status/<id> while its worker runs jobs: does the web app stay
/// fast while the queue is busy (tornado-slacker's lesson: never block the loop)?
struct GreeterBench {
    let greeterPath: String
    let redisURL: String
    let client: PetalClient

    func run() async throws -> String {
        let greeter = try await GreeterProcesses(greeterPath: greeterPath, redisURL: redisURL, concurrency: 2, workerName: "greeter-bench")
        defer { greeter.stop() }
        let id = try await client.enqueue(EnqueueRequest(task: GreeterTasksName.expensiveGreet, args: ["Bench", 100]))
        // Keep the worker busy during the measurement.
        _ = try await client.enqueue(many: (0..<400).map { _ in EnqueueRequest(task: "progress", args: [20, 0.05]) })
        let summary = try WrkRun(url: "http://127.0.0.1:\(greeter.port)/status/\(id)", connections: 50, seconds: 10).run()
        return "greeter /status under wrk -t2 -c50 -d10s while the worker runs jobs: \(summary)"
    }
}

enum GreeterTasksName {
    static let expensiveGreet = "greeter.expensive_greet"
}
