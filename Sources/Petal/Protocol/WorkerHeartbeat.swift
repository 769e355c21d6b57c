/// A worker's heartbeat record (`P:worker:<name>`, docs/PROTOCOL.md): written by the supervisor
/// every interval through `HeartbeatCall`, read by `PetalClient.workers()`. The field names are here
/// and nowhere else; JSON fields are read with Petal's own JSON reader (a monitor reads hundreds of
/// these per page, and JSONDecoder cost more than the Redis round trip).
public struct WorkerHeartbeat: Sendable, Equatable {
    /// One job running in one child, as of the beat.
    public struct ActiveJob: Sendable, Equatable {
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

        private enum Key: String { case id, task, pid, started }

        var json: JSONValue {
            .object([Key.id.rawValue: .string(id), Key.task.rawValue: .string(task),
                     Key.pid.rawValue: .number(Double(pid)), Key.started.rawValue: .number(started)])
        }

        init?(json: JSONValue) {
            guard let id = json[Key.id.rawValue]?.stringValue, let task = json[Key.task.rawValue]?.stringValue else { return nil }
            self.init(id: id, task: task, pid: json[Key.pid.rawValue]?.intValue ?? 0, started: json[Key.started.rawValue]?.doubleValue ?? 0)
        }
    }

    public var name: String
    public var hostname: String
    /// The supervisor's process id.
    public var pid: Int
    /// Consumed queues, in priority order.
    public var queues: [String]
    /// The pool's target size.
    public var concurrency: Int
    public var children: [Int]
    public var active: [ActiveJob]
    /// Autoscale bounds, when autoscaling.
    public var autoscaleMin: Int?
    public var autoscaleMax: Int?
    /// 1, 5 and 15 minute load averages.
    public var loadAverage: [Double]
    /// Resident memory of the supervisor and its children together.
    public var rssBytes: Int
    public var startedAt: Double?
    /// When this beat was written.
    public var time: Double?
    /// Seconds between beats.
    public var heartbeatInterval: Double
    /// Petal's version.
    public var version: String
    /// Task names the worker runs.
    public var registered: [String]
    /// Per task: [soft, hard] seconds set at run time (0 = none).
    public var timeLimits: [String: [Double]]
    /// Per task: this worker's own rate limit (`10/s`), set at run time by `rate_limit`.
    public var rateLimits: [String: String] = [:]
    /// In a warm shutdown.
    public var shuttingDown: Bool
    /// The Redis URL the worker uses, without its password, and the server it talks to now
    /// (under Sentinel, the current primary). Empty when the worker does not say.
    public var redis: String
    public var redisServer: String

    public init(name: String, hostname: String, pid: Int, queues: [String], concurrency: Int, children: [Int],
                active: [ActiveJob], autoscaleMin: Int? = nil, autoscaleMax: Int? = nil, loadAverage: [Double], rssBytes: Int,
                startedAt: Double?, time: Double?, heartbeatInterval: Double, version: String, registered: [String],
                timeLimits: [String: [Double]], shuttingDown: Bool, redis: String = "", redisServer: String = "") {
        self.name = name
        self.hostname = hostname
        self.pid = pid
        self.queues = queues
        self.concurrency = concurrency
        self.children = children
        self.active = active
        self.autoscaleMin = autoscaleMin
        self.autoscaleMax = autoscaleMax
        self.loadAverage = loadAverage
        self.rssBytes = rssBytes
        self.startedAt = startedAt
        self.time = time
        self.heartbeatInterval = heartbeatInterval
        self.version = version
        self.registered = registered
        self.timeLimits = timeLimits
        self.shuttingDown = shuttingDown
        self.redis = redis
        self.redisServer = redisServer
    }

    /// The record's field names.
    enum Field: String, CaseIterable {
        case name, hostname, pid, queues, concurrency, children, active
        case autoscaleMin = "autoscale_min", autoscaleMax = "autoscale_max", loadAverage = "loadavg", rss
        case startedAt = "started_at", heartbeat, interval, version, registered, timeLimits = "time_limits"
        case shuttingDown = "shutting_down", rateLimits = "rate_limits"
        case redis, redisServer = "redis_server"
    }

    /// The record as field/value pairs; fields without a value (no autoscale, no start time) are left out.
    public var fields: [(String, String)] {
        let values: [(Field, String?)] = [
            (.name, name), (.hostname, hostname), (.pid, String(pid)),
            (.queues, JSONValue.array(queues.map(JSONValue.string)).jsonText), (.concurrency, String(concurrency)),
            (.children, JSONValue.array(children.map { .number(Double($0)) }).jsonText),
            (.active, JSONValue.array(active.map(\.json)).jsonText),
            (.autoscaleMin, autoscaleMin.map { String($0) }), (.autoscaleMax, autoscaleMax.map { String($0) }),
            (.loadAverage, JSONValue.array(loadAverage.map(JSONValue.number)).jsonText), (.rss, String(rssBytes)),
            (.startedAt, startedAt.map(Clock.text)), (.heartbeat, time.map(Clock.text)), (.interval, String(heartbeatInterval)),
            (.version, version), (.registered, JSONValue.array(registered.map(JSONValue.string)).jsonText),
            (.timeLimits, JSONValue.object(timeLimits.mapValues { .array($0.map(JSONValue.number)) }).jsonText),
            (.rateLimits, rateLimits.isEmpty ? nil : JSONValue.object(rateLimits.mapValues(JSONValue.string)).jsonText),
            (.shuttingDown, shuttingDown ? "1" : "0"),
            (.redis, redis.isEmpty ? nil : redis), (.redisServer, redisServer.isEmpty ? nil : redisServer),
        ]
        return values.compactMap { field, value in value.map { (field.rawValue, $0) } }
    }

    /// Reads a record's fields leniently: what is missing or malformed takes a neutral value, so
    /// a corrupt record (or one from another implementation) never traps. nil when the record is
    /// empty (the worker is offline).
    public init?(fields: [String: String]) {
        guard !fields.isEmpty else { return nil }
        func text(_ field: Field) -> String? { fields[field.rawValue] }
        func json(_ field: Field) -> JSONValue? { text(field).flatMap { try? JSONValue(parsing: $0) } }
        func strings(_ field: Field) -> [String] { json(field)?.arrayValue?.compactMap(\.stringValue) ?? [] }
        func numbers(_ field: Field) -> [Double] { json(field)?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        func whole(_ field: Field) -> Int? { text(field).flatMap { Int($0) } }
        func seconds(_ field: Field) -> Double? { text(field).flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil } }
        self.init(name: text(.name) ?? "", hostname: text(.hostname) ?? "", pid: whole(.pid) ?? 0, queues: strings(.queues),
                  concurrency: whole(.concurrency) ?? 0,
                  children: numbers(.children).compactMap { Int(wholePartOf: $0) },
                  active: json(.active)?.arrayValue?.compactMap(ActiveJob.init(json:)) ?? [],
                  autoscaleMin: whole(.autoscaleMin), autoscaleMax: whole(.autoscaleMax), loadAverage: numbers(.loadAverage),
                  rssBytes: whole(.rss) ?? 0, startedAt: seconds(.startedAt), time: seconds(.heartbeat),
                  heartbeatInterval: seconds(.interval) ?? 2, version: text(.version) ?? "", registered: strings(.registered),
                  timeLimits: json(.timeLimits)?.objectValue?.mapValues { $0.arrayValue?.compactMap(\.doubleValue) ?? [] } ?? [:],
                  shuttingDown: text(.shuttingDown) == "1", redis: text(.redis) ?? "", redisServer: text(.redisServer) ?? "")
        rateLimits = json(.rateLimits)?.objectValue?.compactMapValues(\.stringValue) ?? [:]
    }
}
