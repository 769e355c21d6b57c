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
        func decode<T: Decodable>(_ key: String, _ fallback: T) -> T {
            guard let text = heartbeat[key], let value = try? JSONValue(parsing: text) else { return fallback }
            return (try? value.decoded(as: T.self)) ?? fallback
        }
        self.name = name
        online = !heartbeat.isEmpty
        hostname = heartbeat["hostname"] ?? ""
        pid = heartbeat["pid"].flatMap { Int($0) } ?? 0
        queues = decode("queues", [])
        concurrency = heartbeat["concurrency"].flatMap { Int($0) } ?? 0
        children = decode("children", [])
        active = decode("active", [])
        autoscaleMin = heartbeat["autoscale_min"].flatMap { Int($0) }
        autoscaleMax = heartbeat["autoscale_max"].flatMap { Int($0) }
        loadAverage = decode("loadavg", [])
        rssBytes = heartbeat["rss"].flatMap { Int($0) } ?? 0
        startedAt = heartbeat["started_at"].flatMap { Double($0) }
        lastHeartbeat = heartbeat["heartbeat"].flatMap { Double($0) } ?? lastSeen
        heartbeatInterval = heartbeat["interval"].flatMap { Double($0) } ?? 2
        version = heartbeat["version"] ?? ""
        registered = decode("registered", [])
        timeLimits = decode("time_limits", [:])
        shuttingDown = heartbeat["shutting_down"] == "1"
        succeeded = stats["succeeded"].flatMap { Int($0) } ?? 0
        failed = stats["failed"].flatMap { Int($0) } ?? 0
        processed = succeeded + failed
        retried = stats["retried"].flatMap { Int($0) } ?? 0
        revoked = stats["revoked"].flatMap { Int($0) } ?? 0
        taskCounts = tasks.compactMapValues { Int($0) }
    }
}

extension JSONValue {
    /// Re-decodes this value as a Codable type.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(jsonText.utf8))
    }
}

