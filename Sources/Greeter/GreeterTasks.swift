import Petal
import PetalWorker

/// The greeter's task, as in the Flask + Celery template: a slow greeting with progress, and a
/// graceful fallback when the soft time limit is hit.
public enum GreeterTasks {
    public static let expensiveGreet = "greeter.expensive_greet"

    /// Registers `greeter.expensive_greet(person, total)`: sleeps half a second `total` times,
    /// reporting progress each step, and returns "Greetings, <person>!"; at the soft time limit
    /// it returns "Greetings, fallback!" instead of failing.
    public static func register(in registry: inout TaskRegistry, softTimeLimit: Double) {
        registry.register(expensiveGreet, options: TaskOptions(softTimeLimit: softTimeLimit)) { context in
            let person = try context.string(0, "person")
            let total = try context.wholeNumber(1, "total", default: 10, in: 1...100)
            for step in 1...total {
                do {
                    try await context.sleep(seconds: 0.5)
                } catch is SoftTimeLimitExceeded {
                    return "Greetings, fallback!"
                }
                context.progress(current: Double(step), total: Double(total), message: "step \(step) of \(total)")
            }
            return .string("Greetings, \(person)!")
        }
    }
}
