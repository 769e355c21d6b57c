import Foundation

/// A worker as its heartbeat describes it (`worker:<name>` hash) plus its counters.
public struct WorkerRecord: Sendable, Equatable {
    /// One job running in one child.
    public struct ActiveJob: Sendable, Equatable, Codable {
        public var id: String
        public var task: String
        public var pid: Int
        public var started: Double
        public init(id: String, task: String, pid: Int, started: Double) {
            self.id = id
            self.task = task
            self.pid = pid
            self.started = started
        }
    }

    public var name: String
    /// True while the heartbeat key exists (it expires when heartbeats stop).
    public var online: Bool
    public var hostname: String
    /// The Redis the worker uses, without the password (`redis`), and the server it talks to now
    /// (`redis_server`: under Sentinel, the primary). Empty for workers that do not say.
    public var redis: String
    public var redisServer: String
    public var pid: Int
    public var queues: [String]
    public var concurrency: Int
    public var children: [Int]
    public var active: [ActiveJob]
    public var autoscaleMin: Int?
    public var autoscaleMax: Int?
    public var loadAverage: [Double]
    public var rssBytes: Int
    public var startedAt: Double?
    public var lastHeartbeat: Double?
    public var heartbeatInterval: Double
    public var version: String
    public var registered: [String]
    /// Per task: [soft, hard] seconds (0 = none).
    public var timeLimits: [String: [Double]]
    public var shuttingDown: Bool
    /// Jobs run to an end: succeeded + failed.
    public var processed: Int
    public var succeeded: Int
    public var failed: Int
    public var retried: Int
    public var revoked: Int
    /// Jobs finished per task name.
    public var taskCounts: [String: Int]

    init(name: String, heartbeat: [String: String], stats: [String: String], tasks: [String: String], lastSeen: Double?) {
        // The JSON fields are read with Petal's own JSON reader: a monitor reads hundreds of these
        // per page, and going through JSONDecoder cost more than the Redis round trip.
        func json(_ key: String) -> JSONValue? { heartbeat[key].flatMap { try? JSONValue(parsing: $0) } }
        func strings(_ key: String) -> [String] { json(key)?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func numbers(_ key: String) -> [Double] { json(key)?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        self.name = name
        online = !heartbeat.isEmpty
        hostname = heartbeat["hostname"] ?? ""
        redis = heartbeat["redis"] ?? ""
        redisServer = heartbeat["redis_server"] ?? ""
        pid = heartbeat["pid"].flatMap { Int($0) } ?? 0
        queues = strings("queues")
        concurrency = heartbeat["concurrency"].flatMap { Int($0) } ?? 0
        children = numbers("children").compactMap { Int(wholePartOf: $0) }  // a corrupt heartbeat must not trap
        active = json("active")?.arrayValue?.compactMap { job in
            guard let id = job["id"]?.stringValue, let task = job["task"]?.stringValue else { return nil }
            return ActiveJob(id: id, task: task, pid: job["pid"]?.intValue ?? 0, started: job["started"]?.doubleValue ?? 0)
        } ?? []
        autoscaleMin = heartbeat["autoscale_min"].flatMap { Int($0) }
        autoscaleMax = heartbeat["autoscale_max"].flatMap { Int($0) }
        loadAverage = numbers("loadavg")
        rssBytes = heartbeat["rss"].flatMap { Int($0) } ?? 0
        startedAt = heartbeat["started_at"].flatMap { Double($0) }
        lastHeartbeat = heartbeat["heartbeat"].flatMap { Double($0) } ?? lastSeen
        heartbeatInterval = heartbeat["interval"].flatMap { Double($0) } ?? 2
        version = heartbeat["version"] ?? ""
        registered = strings("registered")
        timeLimits = json("time_limits")?.objectValue?.mapValues { $0.arrayValue?.compactMap(\.doubleValue) ?? [] } ?? [:]
        shuttingDown = heartbeat["shutting_down"] == "1"
        succeeded = stats["succeeded"].flatMap { Int($0) } ?? 0
        failed = stats["failed"].flatMap { Int($0) } ?? 0
        processed = succeeded + failed
        retried = stats["retried"].flatMap { Int($0) } ?? 0
        revoked = stats["revoked"].flatMap { Int($0) } ?? 0
        taskCounts = tasks.compactMapValues { Int($0) }
    }
}
