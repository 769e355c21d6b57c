import PetalRedis

/// `petal_schedule_save`: creates or replaces a schedule; `next` is its first run after now (kept
/// when the timing did not change). Replies true when it was created.
public struct ScheduleSaveCall: PetalCall {
    public static let function = PetalFunction.scheduleSave
    public var definition: ScheduleDefinition
    /// Who defined it: `code`, `cli` or `api`.
    public var origin: String
    public var next: Double
    public init(definition: ScheduleDefinition, origin: String, next: Double) {
        self.definition = definition
        self.origin = origin
        self.next = next
    }
    public var arguments: [RedisArgument] {
        ([definition.name] + definition.savedFields(origin: origin, next: next)).map { RedisArgument($0) }
    }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Bool { try reply.expectInt(from: function) == 1 }
}

/// `petal_schedule_tick`: claims and enqueues due ticks, exactly once across all workers, and
/// moves each schedule's next run. Replies per schedule the jobs enqueued, or -1 when another
/// worker had handled it (its score was no longer `due`).
public struct ScheduleTickCall: PetalCall {
    public static let function = PetalFunction.scheduleTick
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// The schedule's score in `P:schedules` as read (the compare of the compare-and-set).
        public var due: String
        public var next: Double
        /// Ticks to run, each with its new job's id.
        public var runs: [(tick: Double, id: String)]
        public init(name: String, due: String, next: Double, runs: [(tick: Double, id: String)]) {
            self.name = name
            self.due = due
            self.next = next
            self.runs = runs
        }
        public static func == (a: Entry, b: Entry) -> Bool {
            a.name == b.name && a.due == b.due && a.next == b.next && a.runs.map(\.tick) == b.runs.map(\.tick) && a.runs.map(\.id) == b.runs.map(\.id)
        }
    }
    public var producer: String
    public var entries: [Entry]
    public init(producer: String, entries: [Entry]) {
        self.producer = producer
        self.entries = entries
    }
    public var arguments: [RedisArgument] {
        var arguments: [RedisArgument] = [RedisArgument(producer), RedisArgument(entries.count)]
        for entry in entries {
            arguments += [RedisArgument(entry.name), RedisArgument(entry.due), RedisArgument(Clock.text(entry.next)), RedisArgument(entry.runs.count)]
            for run in entry.runs { arguments += [RedisArgument(Clock.text(run.tick)), RedisArgument(run.id)] }
        }
        return arguments
    }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> [Int] {
        try reply.expectArray(from: function).map { $0.int ?? -1 }
    }
}

/// `petal_schedule_run`: "run now": enqueues one job of the schedule at once. Replies false when
/// there is no such schedule.
public struct ScheduleRunCall: PetalCall {
    public static let function = PetalFunction.scheduleRun
    public var name: String
    public var producer: String
    public var jobID: String
    public init(name: String, producer: String, jobID: String) {
        self.name = name
        self.producer = producer
        self.jobID = jobID
    }
    public var arguments: [RedisArgument] { [RedisArgument(name), RedisArgument(producer), RedisArgument(jobID)] }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Bool { try reply.expectInt(from: function) == 1 }
}

/// `petal_schedule_pause`: pauses, or resumes with the next run after now. Replies false when
/// there is no such schedule.
public struct SchedulePauseCall: PetalCall {
    public static let function = PetalFunction.schedulePause
    public var name: String
    public var paused: Bool
    public var next: Double?
    public init(name: String, paused: Bool, next: Double? = nil) {
        self.name = name
        self.paused = paused
        self.next = next
    }
    public var arguments: [RedisArgument] {
        [RedisArgument(name), paused ? "1" : "0", RedisArgument(next.map(Clock.text) ?? "")]
    }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Bool { try reply.expectInt(from: function) == 1 }
}

/// `petal_schedule_remove`: removes schedules by name, or reconciles a worker's code-defined ones
/// (removes those of its tasks it no longer defines). Replies the names removed.
public struct ScheduleRemoveCall: PetalCall {
    public static let function = PetalFunction.scheduleRemove
    public enum Mode: Sendable {
        case names([String])
        case reconcile(tasks: [String], kept: [String])
    }
    public var mode: Mode
    public init(_ mode: Mode) { self.mode = mode }
    public var arguments: [RedisArgument] {
        switch mode {
        case .names(let names): return ["name"] + names.map { RedisArgument($0) }
        case .reconcile(let tasks, let kept):
            return ["reconcile", RedisArgument(tasks.count)] + tasks.map { RedisArgument($0) } + kept.map { RedisArgument($0) }
        }
    }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> [String] {
        try reply.expectArray(from: function).compactMap(\.string)
    }
}
