import Foundation

/// What a web app asks for when it enqueues a job (Celery's `apply_async` options): the task, its
/// arguments, and the options every job has (`EnqueueOptions`, read and written through the
/// request: `request.queue`, `request.countdown`, …).
@dynamicMemberLookup
public struct EnqueueRequest: Sendable {
    public var task: String
    /// Positional arguments as JSON text (an array).
    public var argsJSON: String
    /// Keyword arguments as JSON text (an object).
    public var kwargsJSON: String
    public var options: EnqueueOptions

    public subscript<Value>(dynamicMember option: WritableKeyPath<EnqueueOptions, Value>) -> Value {
        get { options[keyPath: option] }
        set { options[keyPath: option] = newValue }
    }

    public init(task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], queue: String = "default",
                countdown: Double? = nil, eta: Date? = nil, expiresIn: Double? = nil, softTimeLimit: Double? = nil,
                timeLimit: Double? = nil, maxRetries: Int = 0, group: String? = nil, parent: String? = nil, id: String? = nil) {
        self.init(task: task, argsJSON: JSONValue.array(args).jsonText, kwargsJSON: JSONValue.object(kwargs).jsonText,
                  options: EnqueueOptions(queue: queue, countdown: countdown, eta: eta, expiresIn: expiresIn, softTimeLimit: softTimeLimit,
                                          timeLimit: timeLimit, maxRetries: maxRetries, group: group, parent: parent, id: id))
    }

    /// Sends argument text as given, for bridges from other languages: the worker, not the client,
    /// rejects text that is not JSON (the job ends FAILURE saying so).
    public init(task: String, argsJSON: String, kwargsJSON: String = "{}", queue: String = "default",
                countdown: Double? = nil, eta: Date? = nil, expiresIn: Double? = nil, softTimeLimit: Double? = nil,
                timeLimit: Double? = nil, maxRetries: Int = 0, group: String? = nil, parent: String? = nil, id: String? = nil) {
        self.init(task: task, argsJSON: argsJSON, kwargsJSON: kwargsJSON,
                  options: EnqueueOptions(queue: queue, countdown: countdown, eta: eta, expiresIn: expiresIn, softTimeLimit: softTimeLimit,
                                          timeLimit: timeLimit, maxRetries: maxRetries, group: group, parent: parent, id: id))
    }

    public init(task: String, argsJSON: String, kwargsJSON: String, options: EnqueueOptions) {
        self.task = task
        self.argsJSON = argsJSON
        self.kwargsJSON = kwargsJSON
        self.options = options
    }

    /// Checks what the client can check; throws `PetalError.invalidRequest` saying what is wrong.
    func validate() throws(PetalError) {
        let (queue, maxRetries, countdown, expiresIn) = (options.queue, options.maxRetries, options.countdown, options.expiresIn)
        let (softTimeLimit, timeLimit, eta, group, id) = (options.softTimeLimit, options.timeLimit, options.eta, options.group, options.id)
        func check(_ condition: Bool, _ message: String) throws(PetalError) {
            if !condition { throw .invalidRequest(message) }
        }
        try TaskName.validate(task)
        try QueueName.validate(queue)
        try check(maxRetries >= 0, "max retries must not be negative")
        for (label, value) in [("countdown", countdown), ("expires", expiresIn), ("soft time limit", softTimeLimit), ("time limit", timeLimit)] {
            if let value { try check(TimeBounds.isInterval(value), "\(label) must be a number of seconds from 0 to \(Int(TimeBounds.longestInterval)), not \(value)") }
        }
        if let eta { try check(TimeBounds.isMoment(eta.timeIntervalSince1970), "eta must be between 1970 and 9999") }
        try check(maxRetries <= 1000, "max retries must be at most 1000")
        if let soft = softTimeLimit, let hard = timeLimit { try check(soft <= hard, "soft time limit must not exceed the time limit") }
        if let group { try check(!group.isEmpty && group.count <= 200, "group must be 1 to 200 characters") }
        // A job id is a Redis key part too: it follows the queue-name rule.
        if let id { try check(QueueName.isValid(id), "job id '\(id.prefix(120))' must be \(QueueName.rule)") }
    }
}
