/// A remote-control command for workers (Celery's `control` broadcast), as sent in a
/// `ControlMessage`. Each command's wire name and argument names are spelled here only: the
/// client encodes with `name` and `arguments`, a worker decodes with `init(name:arguments:)`,
/// which checks the arguments, so a worker's switch over the cases needs no checks of its own.
public enum ControlCommand: Sendable, Equatable {
    case ping
    /// Grow the pool by n children.
    case poolGrow(Int = 1)
    /// Shrink the pool by n (idle children stop first; busy ones finish their job).
    case poolShrink(Int = 1)
    /// Replace every child once it has finished its job.
    case poolRestart
    case autoscale(max: Int, min: Int)
    /// Warm shutdown: stop taking jobs, finish the running ones, exit.
    case shutdown
    /// Consume one more queue (lowest priority).
    case addConsumer(String)
    case cancelConsumer(String)
    /// Time limits for a task, in seconds; 0 clears one, both 0 clear the task's limits.
    case timeLimit(task: String, soft: Double, hard: Double)
    /// This worker's own rate limit for a task (nil removes it); the fleet-wide one is set in Redis
    /// by `PetalClient.setRateLimit`.
    case rateLimit(task: String, rate: RateLimit?)
    /// Kill the child running the job (the revoke function has marked it) with `signal`.
    case terminate(id: String, signal: String = "SIGTERM")

    /// The most children a worker's pool may have (grow, autoscale and --concurrency stop there).
    public static let maximumPoolSize = 256

    /// Wire names.
    public enum Name: String, Sendable, CaseIterable {
        case ping, poolGrow = "pool_grow", poolShrink = "pool_shrink", poolRestart = "pool_restart", autoscale, shutdown
        case addConsumer = "add_consumer", cancelConsumer = "cancel_consumer", timeLimit = "time_limit", terminate
        case rateLimit = "rate_limit"
    }

    /// Argument names.
    private enum Argument: String { case n, max, min, queue, task, soft, hard, id, signal, rate }

    public var name: Name {
        switch self {
        case .ping: .ping
        case .poolGrow: .poolGrow
        case .poolShrink: .poolShrink
        case .poolRestart: .poolRestart
        case .autoscale: .autoscale
        case .shutdown: .shutdown
        case .addConsumer: .addConsumer
        case .cancelConsumer: .cancelConsumer
        case .timeLimit: .timeLimit
        case .terminate: .terminate
        case .rateLimit: .rateLimit
        }
    }

    public var arguments: [String: JSONValue] {
        let pairs: [(Argument, JSONValue)] = switch self {
        case .ping, .poolRestart, .shutdown: []
        case .poolGrow(let n), .poolShrink(let n): [(.n, .number(Double(n)))]
        case .autoscale(let max, let min): [(.max, .number(Double(max))), (.min, .number(Double(min)))]
        case .addConsumer(let queue), .cancelConsumer(let queue): [(.queue, .string(queue))]
        case .timeLimit(let task, let soft, let hard): [(.task, .string(task)), (.soft, .number(soft)), (.hard, .number(hard))]
        case .terminate(let id, let signal): [(.id, .string(id)), (.signal, .string(signal))]
        case .rateLimit(let task, let rate): [(.task, .string(task)), (.rate, .string(rate?.description ?? ""))]
        }
        return Dictionary(uniqueKeysWithValues: pairs.map { ($0.0.rawValue, $0.1) })
    }

    /// Why a command could not be read: an unknown name or a bad argument. The text is the reply.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads a command as a worker receives it. Numbers may come as JSON numbers or as text;
    /// a missing `n` is 1, a missing autoscale `min` and time limit are 0, a missing signal SIGTERM.
    public init(name: String, arguments: [String: JSONValue]) throws(Refusal) {
        func whole(_ argument: Argument, default fallback: Int? = nil) throws(Refusal) -> Int {
            guard let value = arguments[argument.rawValue] else {
                if let fallback { return fallback }
                throw Refusal("\(argument.rawValue) is required")
            }
            guard let number = value.intValue ?? value.stringValue.flatMap({ Int($0) }), number >= 0 else {
                throw Refusal("\(argument.rawValue) must be a non-negative whole number")
            }
            return number
        }
        func seconds(_ argument: Argument) throws(Refusal) -> Double {
            guard let value = arguments[argument.rawValue] else { return 0 }
            guard let number = value.doubleValue ?? value.stringValue.flatMap({ Double($0) }), number >= 0, number.isFinite else {
                throw Refusal("\(argument.rawValue) must be a number of seconds, 0 or more")
            }
            return number
        }
        func text(_ argument: Argument) throws(Refusal) -> String {
            guard let value = arguments[argument.rawValue]?.stringValue, !value.isEmpty else { throw Refusal("\(argument.rawValue) is required") }
            return value
        }
        func queue() throws(Refusal) -> String {
            let queue = try text(.queue)
            guard QueueName.isValid(queue) else { throw Refusal(QueueName.message(for: queue)) }
            return queue
        }
        guard let known = Name(rawValue: name) else { throw Refusal("unknown control command '\(name.prefix(100))'") }
        switch known {
        case .ping: self = .ping
        case .poolGrow: self = .poolGrow(try whole(.n, default: 1))
        case .poolShrink: self = .poolShrink(try whole(.n, default: 1))
        case .poolRestart: self = .poolRestart
        case .autoscale:
            let high = try whole(.max), low = try whole(.min, default: 0)
            guard high >= max(low, 1), high <= Self.maximumPoolSize else {
                throw Refusal("autoscale needs max >= min, max >= 1 and max <= \(Self.maximumPoolSize)")
            }
            self = .autoscale(max: high, min: low)
        case .shutdown: self = .shutdown
        case .addConsumer: self = .addConsumer(try queue())
        case .cancelConsumer: self = .cancelConsumer(try queue())
        case .timeLimit:
            let task = try text(.task), soft = try seconds(.soft), hard = try seconds(.hard)
            guard hard == 0 || soft <= hard else { throw Refusal("need 0 <= soft <= hard") }
            self = .timeLimit(task: task, soft: soft, hard: hard)
        case .terminate:
            self = .terminate(id: try text(.id), signal: arguments[Argument.signal.rawValue]?.stringValue ?? "SIGTERM")
        case .rateLimit:
            let task = try text(.task)
            guard let value = arguments[Argument.rate.rawValue] else { throw Refusal("rate is required (0 or empty removes the limit)") }
            // Celery's rate_limit takes numbers too (10 = 10/s).
            let given = value.stringValue ?? value.doubleValue.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }
            guard let given else { throw Refusal("rate must be text such as 10/s, 100/m or 1000/h") }
            do { self = .rateLimit(task: task, rate: try RateLimit.parse(given)) } catch { throw Refusal(error.description) }
        }
    }
}
