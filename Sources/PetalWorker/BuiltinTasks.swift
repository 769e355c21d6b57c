import Foundation
import Petal

/// The demo tasks `petal worker` runs: enough to benchmark, to demo, and to prove each failure path.
public enum BuiltinTasks {
    public static func register(in registry: inout TaskRegistry) {
        registry.register("noop") { _ in .null }

        registry.register("hello") { context in
            .string("Hello, \(try context.string(0, "name", default: "world"))!")
        }

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

        // Reports progress each step; past its soft time limit it stops early and says so,
        // the graceful fallback the Flask + Celery template showed.
        registry.register("progress") { context in
            let total = try context.wholeNumber(0, "total", default: 10, in: 1...1_000_000)
            let step = try context.number(1, "step_seconds", default: 0.5)
            for current in 1...total {
                do {
                    try await context.sleep(seconds: step)
                } catch is SoftTimeLimitExceeded {
                    return ["completed": .number(Double(current - 1)), "total": .number(Double(total)), "fallback": true]
                }
                context.progress(current: Double(current), total: Double(total), message: "step \(current) of \(total)")
            }
            return ["completed": .number(Double(total)), "total": .number(Double(total)), "fallback": false]
        }

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

    public static var registry: TaskRegistry {
        var registry = TaskRegistry()
        register(in: &registry)
        return registry
    }
}
