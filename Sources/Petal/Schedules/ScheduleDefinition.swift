import Foundation

/// What to do about ticks that passed while no worker ran: `skip` them (the default), or run one
/// job for the latest of them (`run_once`). A tick at most `ScheduleTicks.lateWindow` seconds late
/// is not missed: it runs.
public enum MissedTicks: String, Sendable, Hashable, CaseIterable {
    case skip
    case runOnce = "run_once"

    /// `skip`, `run_once`, `run-once` or `run once`.
    public init(parsing text: String) throws(ScheduleError) {
        let normalized = text.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        guard let policy = MissedTicks(rawValue: normalized.isEmpty ? "skip" : normalized) else {
            throw .invalidField("missed-tick policy '\(text.prefix(40))' must be skip or run_once")
        }
        self = policy
    }
}

/// A periodic schedule: which job to enqueue, and when. Defined in code (`TaskRegistry.schedule`),
/// from the CLI (`petal schedule add`) or the monitor; stored in Redis (docs/PROTOCOL.md).
public struct ScheduleDefinition: Sendable, Equatable {
    public var name: String
    public var task: String
    public var argsJSON: String
    public var kwargsJSON: String
    public var queue: String
    public var timing: ScheduleTiming
    public var missed: MissedTicks
    public var maxRetries: Int?
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    /// Each job expires (REVOKED, "Expired") when no worker took it within this many seconds of its tick.
    public var expiresIn: Double?

    public init(name: String, task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:], queue: String = "default",
                timing: ScheduleTiming, missed: MissedTicks = .skip, maxRetries: Int? = nil, softTimeLimit: Double? = nil,
                timeLimit: Double? = nil, expiresIn: Double? = nil) {
        self.init(name: name, task: task, argsJSON: JSONValue.array(args).jsonText, kwargsJSON: JSONValue.object(kwargs).jsonText,
                  queue: queue, timing: timing, missed: missed, maxRetries: maxRetries, softTimeLimit: softTimeLimit,
                  timeLimit: timeLimit, expiresIn: expiresIn)
    }

    public init(name: String, task: String, argsJSON: String, kwargsJSON: String = "{}", queue: String = "default",
                timing: ScheduleTiming, missed: MissedTicks = .skip, maxRetries: Int? = nil, softTimeLimit: Double? = nil,
                timeLimit: Double? = nil, expiresIn: Double? = nil) {
        self.name = name
        self.task = task
        self.argsJSON = argsJSON
        self.kwargsJSON = kwargsJSON
        self.queue = queue
        self.timing = timing
        self.missed = missed
        self.maxRetries = maxRetries
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.expiresIn = expiresIn
    }

    /// A schedule name is any text of 1 to 200 bytes without control characters: it is a key part
    /// (after every fixed part, so it cannot collide) and a path segment the monitor percent-encodes.
    public static let nameRule = "must be 1 to 200 bytes of text without control characters"

    public static func validateName(_ name: String) throws(PetalError) {
        guard !name.isEmpty, name.utf8.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidRequest("schedule name '\(name.prefix(60))' \(nameRule)")
        }
    }

    /// Checks what enqueue would check, and that the arguments are JSON of the right kind; throws
    /// `PetalError.invalidRequest` saying what is wrong.
    public func validate() throws(PetalError) {
        try Self.validateName(name)
        try TaskName.validate(task)
        guard case .array = try? JSONValue(parsing: argsJSON) else { throw .invalidRequest("args must be a JSON array") }
        guard case .object = try? JSONValue(parsing: kwargsJSON) else { throw .invalidRequest("kwargs must be a JSON object") }
        let request = EnqueueRequest(task: task, argsJSON: argsJSON, kwargsJSON: kwargsJSON, queue: queue, expiresIn: expiresIn,
                                     softTimeLimit: softTimeLimit, timeLimit: timeLimit, maxRetries: maxRetries ?? 0)
        try request.validate()
    }

    /// The hash fields petal_schedule_save takes, after the name, in its order ("" = not set).
    func savedFields(origin: String, next: Double) -> [String] {
        [task, queue, argsJSON, kwargsJSON, maxRetries.map(String.init) ?? "", softTimeLimit.map { String($0) } ?? "",
         timeLimit.map { String($0) } ?? "", expiresIn.map { String($0) } ?? "", timing.when,
         { if case .cron = timing { return timing.zoneName } else { return "" } }(), missed.rawValue, origin, Clock.text(next)]
    }
}
