import Foundation
import Petal
import PetalRedis

/// How a worker runs. Built by the CLI (or an app's own worker command) and passed in.
public struct WorkerConfiguration: Sendable, Codable {
    /// Unique among live workers; keys of its in-flight list and heartbeat use it.
    public var name: String
    /// Where Redis is and how to reach it (TLS, Sentinel, credentials): children get it whole.
    public var redis: RedisConfiguration
    public var keyPrefix: String
    /// Queues in priority order: a child always takes from the first non-empty one.
    public var queues: [String]
    public var concurrency: Int
    /// Autoscale bounds: the pool grows towards max while jobs wait and shrinks to min when idle.
    public var autoscaleMin: Int?
    public var autoscaleMax: Int?
    public var heartbeatInterval: Double
    /// Warm shutdown waits this long for running jobs, then re-queues what is left.
    public var shutdownTimeout: Double
    /// After SIGTERM to a child (terminate, shrink past busy), SIGKILL follows after this many seconds.
    public var terminateGrace: Double
    /// A job found in flight on dead workers this many times ends FAILURE (WorkerLostError).
    public var maxRedeliveries: Int
    /// Finished jobs kept: at most this many, and none older than `retentionSeconds`.
    public var retentionCount: Int
    public var retentionSeconds: Double
    /// Defaults for jobs that set none.
    public var defaultSoftTimeLimit: Double?
    public var defaultTimeLimit: Double?
    /// The most jobs a child takes at once while jobs are short (`PrefetchPolicy`); 1 takes one at a time.
    public var prefetch: Int

    public init(name: String = WorkerConfiguration.defaultName(), redis: RedisConfiguration = RedisConfiguration(),
                keyPrefix: String = "petal", queues: [String] = ["default"], concurrency: Int = 2,
                autoscaleMin: Int? = nil, autoscaleMax: Int? = nil, heartbeatInterval: Double = 2,
                shutdownTimeout: Double = 30, terminateGrace: Double = 3, maxRedeliveries: Int = 3,
                retentionCount: Int = 100_000, retentionSeconds: Double = 7 * 86_400,
                defaultSoftTimeLimit: Double? = nil, defaultTimeLimit: Double? = nil, prefetch: Int = 8) {
        self.name = name
        self.redis = redis
        self.keyPrefix = keyPrefix
        self.queues = queues
        self.concurrency = concurrency
        self.autoscaleMin = autoscaleMin
        self.autoscaleMax = autoscaleMax
        self.heartbeatInterval = heartbeatInterval
        self.shutdownTimeout = shutdownTimeout
        self.terminateGrace = terminateGrace
        self.maxRedeliveries = maxRedeliveries
        self.retentionCount = retentionCount
        self.retentionSeconds = retentionSeconds
        self.defaultSoftTimeLimit = defaultSoftTimeLimit
        self.defaultTimeLimit = defaultTimeLimit
        self.prefetch = prefetch
    }

    /// "petal-<pid>@<host>": unique per process on a host, readable in the monitor.
    public static func defaultName() -> String {
        "petal-\(getpid())@\(ProcessInfo.processInfo.hostName)"
    }

    /// Seconds a heartbeat stays valid: three missed beats and a worker is offline.
    public var heartbeatTTL: Int { Int((heartbeatInterval * 3).rounded(.up)) + 1 }

    public var keys: Keys { Keys(prefix: keyPrefix) }

    public func redisConfiguration() throws(RedisError) -> RedisConfiguration { redis }

    /// Checks the settings; throws a message naming the bad one.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws { if !condition { throw WorkerError.invalidConfiguration(message) } }
        try check(!name.isEmpty && !name.contains(" "), "worker name must be non-empty without spaces")
        try check(!queues.isEmpty, "a worker needs at least one queue")
        for queue in queues { try check(QueueName.isValid(queue), QueueName.message(for: queue)) }
        try check(concurrency >= 0 && concurrency <= ControlCommand.maximumPoolSize, "concurrency must be 0 to \(ControlCommand.maximumPoolSize)")
        if let low = autoscaleMin, let high = autoscaleMax {
            try check(low >= 0 && high >= max(low, 1) && high <= ControlCommand.maximumPoolSize, "autoscale needs 0 <= min <= max <= \(ControlCommand.maximumPoolSize), max >= 1")
        }
        try check(heartbeatInterval >= 0.2 && heartbeatInterval <= 3600, "heartbeat interval must be from 0.2 s to 3600 s")
        try check(prefetch >= 1 && prefetch <= 100, "prefetch must be 1 to 100")
    }
}
