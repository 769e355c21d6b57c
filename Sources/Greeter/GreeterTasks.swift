import Petal
import PetalWorker

/// The greeter's task, as in the Flask + Celery template: a slow greeting with progress, and a
/// graceful fallback when the soft time limit is hit.
public enum GreeterTasks {
    public static let expensiveGreet = Greet.name

    /// Registers `Greet` with the soft time limit the greeter is configured with, and the rate
    /// limit it declares (`greeter worker --greet-rate-limit`; nil declares none).
    public static func register(in registry: inout TaskRegistry, softTimeLimit: Double, rateLimit: String? = nil) {
        registry.register(Greet(), options: TaskOptions(softTimeLimit: softTimeLimit, rateLimit: rateLimit))
    }
}

/// `greeter.expensive_greet(person, total)`: sleeps half a second `total` times, reporting progress
/// each step, and returns "Greetings, <person>!"; at the soft time limit it returns
/// "Greetings, fallback!" instead of failing.
public struct Greet: PetalTask {
    public static let name = "greeter.expensive_greet"
    /// Callers from before the task was typed (and other languages) send `[person, total]`.
    public static let argumentOrder = ["person", "total"]

    public struct Arguments: Codable, Sendable {
        public var person: String
        public var total: Int
        public init(person: String, total: Int) {
            self.person = person
            self.total = total
        }
    }

    public init() {}

    public func run(_ arguments: Arguments, context: TaskContext) async throws -> String {
        guard (1...100).contains(arguments.total) else {
            throw InvalidArguments("total must be a whole number from 1 to 100, got \(arguments.total)")
        }
        for step in 1...arguments.total {
            do {
                try await context.sleep(seconds: 0.5)
            } catch is SoftTimeLimitExceeded {
                return "Greetings, fallback!"
            }
            context.progress(current: Double(step), total: Double(arguments.total), message: "step \(step) of \(arguments.total)")
        }
        return "Greetings, \(arguments.person)!"
    }
}
