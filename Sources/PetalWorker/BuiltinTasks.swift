import Foundation
import Petal

/// The demo tasks `petal worker` runs: enough to benchmark, to demo, and to prove each failure path.
public enum BuiltinTasks {
    public static func register(in registry: inout TaskRegistry) {
        registry.register("noop") { _ in .null }

        registry.register(Hello())

        registry.register("add") { context in
            let sum = try context.number(0, "x") + context.number(1, "y")
            guard sum.isFinite else { throw InvalidArguments("x + y is out of range (\(sum))") }
            return .number(sum)
        }

        registry.register("sleep") { context in
            let seconds = try context.number(0, "seconds", default: 1)
            guard TimeBounds.isInterval(seconds) else {
                throw InvalidArguments("seconds must be from 0 to \(Int(TimeBounds.longestInterval)), got \(seconds)")
            }
            try await context.sleep(seconds: seconds)
            return .number(seconds)
        }

        registry.register(Progress())

        // Fails 40 % of the time, as the ventilator demo's workers did.
        registry.register("flaky") { context in
            let rate = try context.number(0, "failure_rate", default: 0.4)
            if Double.random(in: 0..<1) < rate { throw TaskFailure("flaky: simulated failure (\(Int(saturating: rate * 100))% of runs fail)") }
            return "ok"
        }

        registry.register("fail") { context in
            throw TaskFailure(try context.string(0, "message", default: "this task always fails"))
        }

        // Traps the child process: proves a crash fails only its own job.
        registry.register("crash") { _ in
            fatalError("crash task: trapping on purpose")
        }

        // Pure CPU that never checks for cancellation: only the hard time limit stops it.
        registry.register("cpu_burn") { context in
            let seconds = try context.number(0, "seconds", default: 1)
            let end = Date().addingTimeInterval(seconds)
            var iterations = 0
            var value: UInt64 = 1
            while Date() < end {
                for _ in 0..<10_000 { value = value &* 6364136223846793005 &+ 1442695040888963407 }
                iterations += 1
            }
            return ["iterations": .number(Double(iterations)), "checksum": .number(Double(value % 1000))]
        }
    }

    /// `hello(name = "world")` → "Hello, <name>!".
    public struct Hello: PetalTask {
        public static let name = "hello"
        public static let argumentOrder = ["name"]
        public struct Arguments: Codable, Sendable {
            public var name: String?
            public init(name: String? = nil) { self.name = name }
        }
        public init() {}
        public func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
            "Hello, \(arguments.name ?? "world")!"
        }
    }

    /// `progress(total = 10, step_seconds = 0.5)`: reports progress each step; past its soft time
    /// limit it stops early and says so, the graceful fallback the Flask + Celery template showed.
    public struct Progress: PetalTask {
        public static let name = "progress"
        public static let argumentOrder = ["total", "step_seconds"]
        public struct Arguments: Codable, Sendable {
            public var total: Int?
            public var stepSeconds: Double?
            public init(total: Int? = nil, stepSeconds: Double? = nil) {
                self.total = total
                self.stepSeconds = stepSeconds
            }
            enum CodingKeys: String, CodingKey {
                case total
                case stepSeconds = "step_seconds"
            }
        }
        public struct Output: Codable, Sendable, Equatable {
            public var completed: Int
            public var total: Int
            /// True when the soft time limit cut it short.
            public var fallback: Bool
            public init(completed: Int, total: Int, fallback: Bool) {
                self.completed = completed
                self.total = total
                self.fallback = fallback
            }
        }
        public init() {}

        public func run(_ arguments: Arguments, context: TaskContext) async throws -> Output {
            let total = arguments.total ?? 10
            guard (1...1_000_000).contains(total) else { throw InvalidArguments("total must be a whole number from 1 to 1000000, got \(total)") }
            let step = arguments.stepSeconds ?? 0.5
            // The whole run, like `sleep`'s, stays within the longest interval Petal takes (ten years).
            guard step >= 0, step * Double(total) <= TimeBounds.longestInterval else {
                throw InvalidArguments("step_seconds × total must be from 0 to \(Int(TimeBounds.longestInterval)) seconds, got \(step) × \(total)")
            }
            for current in 1...total {
                do {
                    try await context.sleep(seconds: step)
                } catch is SoftTimeLimitExceeded {
                    return Output(completed: current - 1, total: total, fallback: true)
                }
                context.progress(current: Double(current), total: Double(total), message: "step \(current) of \(total)")
            }
            return Output(completed: total, total: total, fallback: false)
        }
    }

    public static var registry: TaskRegistry {
        var registry = TaskRegistry()
        register(in: &registry)
        return registry
    }
}
