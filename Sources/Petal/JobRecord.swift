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

    /// The result parsed from JSON, when there is one.
    public var result: JSONValue? { resultJSON.flatMap { try? JSONValue(parsing: $0) } }

    /// When the job reached its final state.
    public var finishedAt: Double? { succeeded ?? failed ?? revoked }

    /// Builds a record from the hash's fields; nil when the hash is empty or has no task.
    public init?(fields: [String: String]) {
        guard let id = fields["id"], let task = fields["task"] else { return nil }
        func number(_ key: String) -> Double? { fields[key].flatMap { $0.isEmpty ? nil : Double($0) } }
        func text(_ key: String) -> String? { fields[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.id = id
        self.task = task
        queue = fields["queue"] ?? ""
        argsJSON = fields["args"] ?? "[]"
        kwargsJSON = fields["kwargs"] ?? "{}"
        state = JobState(rawValue: fields["state"] ?? "") ?? .pending
        group = text("group")
        parent = text("parent")
        sent = number("sent")
        received = number("received")
        started = number("started")
        succeeded = number("succeeded")
        failed = number("failed")
        retried = number("retried")
        revoked = number("revoked")
        eta = number("eta")
        expires = number("expires")
        worker = text("worker")
        pid = fields["pid"].flatMap { Int($0) }
        if let current = number("progress_current") {
            progress = Progress(current: current, total: number("progress_total") ?? 0, message: text("progress_message"))
        }
        resultJSON = text("result")
        exception = text("exception")
        traceback = text("traceback")
        retries = fields["retries"].flatMap { Int($0) } ?? 0
        maxRetries = fields["max_retries"].flatMap { Int($0) } ?? 0
        softTimeLimit = number("soft_time_limit")
        timeLimit = number("time_limit")
        runtime = number("runtime")
        deliveries = fields["deliveries"].flatMap { Int($0) } ?? 0
        redeliveries = fields["redeliveries"].flatMap { Int($0) } ?? 0
        revokeRequested = text("revoke_requested")
    }
}
