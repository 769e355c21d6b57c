/// A schedule as stored in `P:schedule:<name>`, with what the workers wrote: next and last run.
public struct ScheduleRecord: Sendable, Equatable {
    public var name: String
    public var task: String
    public var queue: String
    public var argsJSON: String
    public var kwargsJSON: String
    /// The stored timing text (`*/5 * * * *`, `every 30s`) and zone ("" for intervals).
    public var when: String
    public var zone: String
    public var missed: String
    /// `code` (a worker's registry), `cli` or `api`.
    public var origin: String
    public var paused: Bool
    public var next: Double?
    /// The tick the last job was enqueued for, and that job.
    public var last: Double?
    public var lastJob: String?
    public var created: Double?
    public var maxRetries: Int?
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    public var expiresIn: Double?

    /// The record from its hash, or nil when the hash is gone (removed meanwhile) or has no task.
    public init?(name: String, fields: [String: String]) {
        guard let task = fields["task"], let when = fields["when"] else { return nil }
        self.name = name
        self.task = task
        self.when = when
        queue = fields["queue"] ?? "default"
        argsJSON = fields["args"] ?? "[]"
        kwargsJSON = fields["kwargs"] ?? "{}"
        zone = fields["tz"] ?? ""
        missed = fields["missed"] ?? MissedTicks.skip.rawValue
        origin = fields["origin"] ?? ""
        paused = !(fields["paused"] ?? "").isEmpty
        next = fields["next"].flatMap(Double.init)
        last = fields["last"].flatMap(Double.init)
        lastJob = fields["last_job"].flatMap { $0.isEmpty ? nil : $0 }
        created = fields["created"].flatMap(Double.init)
        maxRetries = fields["max_retries"].flatMap { Int($0) }
        softTimeLimit = fields["soft_time_limit"].flatMap(Double.init)
        timeLimit = fields["time_limit"].flatMap(Double.init)
        expiresIn = fields["expires_in"].flatMap(Double.init)
    }

    /// The timing, or nil when the stored text is not one (written by something other than Petal).
    public var timing: ScheduleTiming? { try? ScheduleTiming(when: when, zone: zone) }

    /// The missed-tick policy; `skip` for anything unknown.
    public var missedTicks: MissedTicks { MissedTicks(rawValue: missed) ?? .skip }

    /// The time zone shown beside the timing: the cron's zone, or "UTC".
    public var zoneName: String { zone.isEmpty ? "UTC" : zone }
}
