/// Everything Redis holds about one job (the `job:<id>` hash), typed.
public struct JobRecord: Sendable, Equatable {
    public struct Progress: Sendable, Equatable {
        public var current: Double
        public var total: Double
        public var message: String?

        public init(current: Double, total: Double, message: String? = nil) {
            self.current = current
            self.total = total
            self.message = message
        }
        /// 0...1, or nil when the total is unknown.
        public var fraction: Double? { total > 0 ? min(max(current / total, 0), 1) : nil }
    }

    public var id: String
    public var task: String
    public var queue: String
    /// JSON text as stored (a program in another language may have written something else).
    public var argsJSON: String
    public var kwargsJSON: String
    public var state: JobState
    public var group: String?
    public var parent: String?
    public var sent: Double?
    public var received: Double?
    public var started: Double?
    public var succeeded: Double?
    public var failed: Double?
    public var retried: Double?
    public var revoked: Double?
    public var eta: Double?
    public var expires: Double?
    public var worker: String?
    public var pid: Int?
    public var progress: Progress?
    public var resultJSON: String?
    public var exception: String?
    public var traceback: String?
    public var retries: Int
    public var maxRetries: Int
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    public var runtime: Double?
    public var deliveries: Int
    public var redeliveries: Int
    /// "revoke" or "terminate" when a revoke arrived while the job ran.
    public var revokeRequested: String?
    /// The periodic schedule that enqueued the job, and the tick it was enqueued for.
    public var schedule: String?
    public var scheduleTick: Double?
    /// While the job waits on its task's rate limit: when its slot comes (docs/PROTOCOL.md, "Rate limits").
    public var rateSlot: Double?

    /// The result parsed from JSON, when there is one.
    public var result: JSONValue? { resultJSON.flatMap { try? JSONValue(parsing: $0) } }

    /// When the job reached its final state.
    public var finishedAt: Double? { succeeded ?? failed ?? revoked }

    /// Builds the record of job `id` (its key's last part) from the hash's fields; nil when the hash
    /// is empty or has no task.
    public init?(id: String, fields: [String: String]) {
        self.init(id: id, pairs: fields.lazy.map { ($0.key, $0.value) })
    }

    /// Builds a record from HGETALL's field/value pairs as they come: a page of 100 records spent
    /// a tenth of its time hashing field names into a dictionary first. Empty values count as
    /// absent; unknown fields are ignored (a newer writer may add some). The id is the key's: Petal
    /// does not store it in the hash. `received` is `started` when absent (Petal receives and starts
    /// a job in one step and stores `started` only).
    public init?(id: String, pairs: some Sequence<(String, String)>) {
        // A field that is not a finite number (a corrupt record) reads as absent, never as inf or nan.
        func number(_ text: String) -> Double? { Double(text).flatMap { $0.isFinite ? $0 : nil } }
        func text(_ text: String) -> String? { text.isEmpty ? nil : text }
        var task: String?, state: String?
        var progressCurrent: Double?, progressTotal: Double?, progressMessage: String?
        (self.id, self.task, queue, argsJSON, kwargsJSON, self.state) = (id, "", "", "[]", "{}", .pending)
        (retries, maxRetries, deliveries, redeliveries) = (0, 0, 0, 0)
        for (key, value) in pairs {
            switch key {
            case "task": task = value
            case "queue": queue = value
            case "args": argsJSON = value
            case "kwargs": kwargsJSON = value
            case "state": state = value
            case "group": group = text(value)
            case "parent": parent = text(value)
            case "sent": sent = number(value)
            case "received": received = number(value)
            case "started": started = number(value)
            case "succeeded": succeeded = number(value)
            case "failed": failed = number(value)
            case "retried": retried = number(value)
            case "revoked": revoked = number(value)
            case "eta": eta = number(value)
            case "expires": expires = number(value)
            case "worker": worker = text(value)
            case "pid": pid = Int(value)
            case "progress_current": progressCurrent = number(value)
            case "progress_total": progressTotal = number(value)
            case "progress_message": progressMessage = text(value)
            case "result": resultJSON = text(value)
            case "exception": exception = text(value)
            case "traceback": traceback = text(value)
            case "retries": retries = Int(value) ?? 0
            case "max_retries": maxRetries = Int(value) ?? 0
            case "soft_time_limit": softTimeLimit = number(value)
            case "time_limit": timeLimit = number(value)
            case "runtime": runtime = number(value)
            case "deliveries": deliveries = Int(value) ?? 0
            case "redeliveries": redeliveries = Int(value) ?? 0
            case "revoke_requested": revokeRequested = text(value)
            case "schedule": schedule = text(value)
            case "schedule_tick": scheduleTick = number(value)
            case "rate_slot": rateSlot = number(value)
            default: break
            }
        }
        guard let task else { return nil }
        self.task = task
        received = received ?? started
        self.state = state.flatMap(JobState.init(rawValue:)) ?? .pending
        if let progressCurrent {
            progress = Progress(current: progressCurrent, total: progressTotal ?? 0, message: progressMessage)
        }
    }
}
