import Foundation

/// How to enqueue a typed job: every `EnqueueRequest` option but the task and its arguments.
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
    /// The user or session the job belongs to.
    public var group: String?
    public var parent: String?
    /// A job id of the caller's choosing: an idempotency key (see `EnqueueRequest.id`).
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
        self.init(task: Task.name, kwargs: try Task.kwargs(arguments), queue: options.queue, countdown: options.countdown,
                  eta: options.eta, expiresIn: options.expiresIn, softTimeLimit: options.softTimeLimit, timeLimit: options.timeLimit,
                  maxRetries: options.maxRetries, group: options.group, parent: options.parent, id: options.id)
    }
}
