/// A worker as the client reads it: its heartbeat record (when online), its counters, and the jobs
/// running now. The heartbeat's fields read as the record's own (`worker.hostname`).
@dynamicMemberLookup
public struct WorkerRecord: Sendable, Equatable {
    public typealias ActiveJob = WorkerHeartbeat.ActiveJob

    public var name: String
    /// True while the heartbeat key exists (it expires when heartbeats stop).
    public var online: Bool
    /// The last heartbeat; an empty one (no queues, no children) when the worker is offline.
    public var heartbeat: WorkerHeartbeat
    /// The jobs running now, from the in-flight lists (the heartbeat's are as old as the beat).
    public var active: [ActiveJob]
    /// When the worker was last heard of.
    public var lastHeartbeat: Double?
    public var counts: JobCounts
    /// Jobs run to an end: succeeded + failed.
    public var processed: Int { counts.processed }
    public var succeeded: Int { counts.succeeded }
    public var failed: Int { counts.failed }
    public var retried: Int { counts.retried }
    public var revoked: Int { counts.revoked }
    /// Jobs finished per task name.
    public var taskCounts: [String: Int]

    public subscript<Value>(dynamicMember keyPath: KeyPath<WorkerHeartbeat, Value>) -> Value { heartbeat[keyPath: keyPath] }

    init(name: String, heartbeat fields: [String: String], stats: [String: String], tasks: [String: String], lastSeen: Double?) {
        let heartbeat = WorkerHeartbeat(fields: fields)
        self.name = name
        online = heartbeat != nil
        self.heartbeat = heartbeat ?? WorkerHeartbeat(
            name: name, hostname: "", pid: 0, queues: [], concurrency: 0, children: [], active: [], loadAverage: [], rssBytes: 0,
            startedAt: nil, time: nil, heartbeatInterval: 2, version: "", registered: [], timeLimits: [:], shuttingDown: false)
        active = self.heartbeat.active
        lastHeartbeat = self.heartbeat.time ?? lastSeen
        counts = JobCounts(fields: stats)
        taskCounts = tasks.compactMapValues { Int($0) }
    }
}

/// Jobs counted by how they ended: the protocol's counter hashes (`P:stats:total`, per minute and
/// day, and per worker) all hold these fields.
public struct JobCounts: Sendable, Equatable {
    public var succeeded: Int
    public var failed: Int
    public var retried: Int
    public var revoked: Int
    /// Jobs run to an end: succeeded + failed.
    public var processed: Int { succeeded + failed }

    public init(succeeded: Int = 0, failed: Int = 0, retried: Int = 0, revoked: Int = 0) {
        self.succeeded = succeeded
        self.failed = failed
        self.retried = retried
        self.revoked = revoked
    }

    /// The counter fields, in the order `init(values:)` takes them.
    static let fieldNames = ["succeeded", "failed", "retried", "revoked"]

    /// From a counter hash (missing or malformed counters count 0).
    init(fields: [String: String]) {
        self.init(values: Self.fieldNames.map { fields[$0] })
    }

    /// From the values of `fieldNames`, in order (an HMGET's reply).
    init(values: [String?]) {
        func value(_ index: Int) -> Int { index < values.count ? values[index].flatMap { Int($0) } ?? 0 : 0 }
        self.init(succeeded: value(0), failed: value(1), retried: value(2), revoked: value(3))
    }
}
