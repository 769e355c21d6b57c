import PetalRedis

/// `petal_heartbeat`: replaces a worker's heartbeat record (it lives `ttl` seconds), keeps its
/// counters alive and appends worker-online (the first beat) or worker-heartbeat to the events.
/// Replies whether the worker had been reaped meanwhile (`offline_at` was set).
public struct HeartbeatCall: PetalCall {
    public static let function = PetalFunction.heartbeat

    public var heartbeat: WorkerHeartbeat
    public var ttl: Int
    public var first: Bool

    public init(heartbeat: WorkerHeartbeat, ttl: Int, first: Bool) {
        self.heartbeat = heartbeat
        self.ttl = ttl
        self.first = first
    }

    public var arguments: [RedisArgument] {
        var arguments: [RedisArgument] = [
            RedisArgument(heartbeat.name), RedisArgument(ttl), first ? "1" : "0", RedisArgument(heartbeat.active.count),
            RedisArgument(heartbeat.concurrency), heartbeat.timeLimits.isEmpty ? "1" : "0",
        ]
        for (field, value) in heartbeat.fields { arguments += [RedisArgument(field), RedisArgument(value)] }
        return arguments
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Bool {
        try reply.expectInt(from: function) == 1
    }
}
