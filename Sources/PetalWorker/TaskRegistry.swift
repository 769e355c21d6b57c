import Petal

/// The async Swift function that runs a job. It returns the job's result as JSON.
public typealias TaskHandler = @Sendable (TaskContext) async throws -> JSONValue

/// Defaults a task brings; a job's own enqueue options win over them.
public struct TaskOptions: Sendable {
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    public var maxRetries: Int?
    /// The task's fleet-wide rate limit in Celery's syntax (`10/s`, `100/m`, `1000/h`), declared at
    /// each worker start: it applies when the declaration changes, and a run-time change holds until
    /// it does (docs/API.md, "Rate limits"). A text that is no rate stops the worker's start.
    public var rateLimit: String?
    public init(softTimeLimit: Double? = nil, timeLimit: Double? = nil, maxRetries: Int? = nil, rateLimit: String? = nil) {
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.maxRetries = maxRetries
        self.rateLimit = rateLimit
    }
}

/// Task names and the functions that run them. Built once at start, read-only afterwards.
public struct TaskRegistry: Sendable {
    public struct Entry: Sendable {
        public let name: String
        public let options: TaskOptions
        public let handler: TaskHandler
    }

    private var entries: [String: Entry] = [:]
    /// Periodic schedules defined in code (`schedule(...)`), by name: stored in Redis at each
    /// worker start, where those of this registry's tasks it no longer defines are removed.
    public private(set) var schedules: [String: ScheduleDefinition] = [:]

    public init() {}

    public mutating func register(_ name: String, options: TaskOptions = TaskOptions(), _ handler: @escaping TaskHandler) {
        entries[name] = Entry(name: name, options: options, handler: handler)
    }

    /// Defines a periodic schedule in code (checked now: a bad cron expression stops the start).
    public mutating func schedule(_ definition: ScheduleDefinition) throws(PetalError) {
        try definition.validate()
        schedules[definition.name] = definition
    }

    /// Defines a periodic schedule: a cron expression (`*/5 * * * *`, `@hourly`) in an IANA time
    /// zone, or an interval (`every 30s`) with `timeZone` left out.
    public mutating func schedule(_ name: String, task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                                  queue: String = "default", when: String, timeZone: String? = nil,
                                  missed: MissedTicks = .skip) throws(PetalError) {
        let timing: ScheduleTiming
        do {
            timing = try ScheduleTiming(when: when, zone: timeZone)
        } catch {
            throw .invalidRequest(error.description)
        }
        try schedule(ScheduleDefinition(name: name, task: task, args: args, kwargs: kwargs, queue: queue, timing: timing, missed: missed))
    }

    /// Each task's rate limit as its options declare it (nil: none), by name. Throws naming the
    /// task whose declared limit is no rate.
    public func declaredRateLimits() throws(PetalError) -> [(task: String, rate: RateLimit?)] {
        var declared: [(task: String, rate: RateLimit?)] = []
        for name in names {
            do { declared.append((name, try entries[name]?.options.rateLimit.flatMap(RateLimit.parse))) } catch {
                throw .invalidRequest("task \(name): \(error)")
            }
        }
        return declared
    }

    public func entry(_ name: String) -> Entry? { entries[name] }
    public var names: [String] { entries.keys.sorted() }
}
