import Foundation

/// How to enqueue a job: everything but the task and its arguments (`EnqueueRequest` carries one).
public struct EnqueueOptions: Sendable {
    public var queue: String
    /// Run no earlier than this many seconds from now.
    public var countdown: Double?
    /// Run no earlier than this moment (wins over countdown).
    public var eta: Date?
    /// Drop the job (REVOKED, "Expired") if no worker took it within this many seconds.
    public var expiresIn: Double?
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    public var maxRetries: Int
    /// The user or session the job belongs to (moi's per-user job lists).
    public var group: String?
    public var parent: String?
    /// A job id of the caller's choosing; a fresh UUID4 otherwise. It is an idempotency key (Celery's
    /// `task_id`): enqueueing an id that already has a record creates nothing and pushes nothing, so
    /// a caller that retries after a lost reply cannot run the job twice.
    public var id: String?

    public init(queue: String = "default", countdown: Double? = nil, eta: Date? = nil, expiresIn: Double? = nil,
                softTimeLimit: Double? = nil, timeLimit: Double? = nil, maxRetries: Int = 0, group: String? = nil,
                parent: String? = nil, id: String? = nil) {
        self.queue = queue
        self.countdown = countdown
        self.eta = eta
        self.expiresIn = expiresIn
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.maxRetries = maxRetries
        self.group = group
        self.parent = parent
        self.id = id
    }
}

extension EnqueueRequest {
    /// The request for a typed job: its arguments as kwargs, no positional args.
    public init<Task: TaskDeclaration>(_ task: Task.Type, _ arguments: Task.Arguments, options: EnqueueOptions = EnqueueOptions()) throws(PetalError) {
        self.init(task: Task.name, argsJSON: "[]", kwargsJSON: JSONValue.object(try Task.kwargs(arguments)).jsonText, options: options)
    }
}
