import Petal

/// The async Swift function that runs a job. It returns the job's result as JSON.
public typealias TaskHandler = @Sendable (TaskContext) async throws -> JSONValue

/// Defaults a task brings; a job's own enqueue options win over them.
public struct TaskOptions: Sendable {
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    public var maxRetries: Int?
    public init(softTimeLimit: Double? = nil, timeLimit: Double? = nil, maxRetries: Int? = nil) {
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.maxRetries = maxRetries
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

    public init() {}

    public mutating func register(_ name: String, options: TaskOptions = TaskOptions(), _ handler: @escaping TaskHandler) {
        entries[name] = Entry(name: name, options: options, handler: handler)
    }

    public func entry(_ name: String) -> Entry? { entries[name] }
    public var names: [String] { entries.keys.sorted() }
}
