import PetalRedis

/// `petal_reap`: recovers the in-flight jobs of a worker without a heartbeat, unless its supervisor
/// still listens on its control channel (or `own`: the worker reaps itself, at start or stop).
public struct ReapCall: PetalCall {
    public static let function = PetalFunction.reap

    public var worker: String
    public var maxRedeliveries: Int
    public var own: Bool

    public init(worker: String, maxRedeliveries: Int, own: Bool) {
        self.worker = worker
        self.maxRedeliveries = maxRedeliveries
        self.own = own
    }

    public var arguments: [RedisArgument] { [RedisArgument(worker), RedisArgument(maxRedeliveries), own ? "1" : "0"] }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> ReapResult {
        let values = try reply.expectArray(from: function)
        guard values.count >= 2, let requeued = values[0].int, let failed = values[1].int else {
            throw .unexpectedReply("\(function.redisName) answered \(reply)")
        }
        return ReapResult(worker: "", requeued: requeued, failed: failed, alive: values.count > 2)
    }
}

/// `petal_reap_dead`: what a worker runs every heartbeat interval: forgets workers not seen for a
/// day and reaps every other worker whose heartbeat is gone. Replies what it found per worker.
public struct ReapDeadCall: PetalCall {
    public static let function = PetalFunction.reapDead

    /// The caller, never reaped here.
    public var worker: String
    public var maxRedeliveries: Int

    public init(worker: String, maxRedeliveries: Int) {
        self.worker = worker
        self.maxRedeliveries = maxRedeliveries
    }

    public var arguments: [RedisArgument] { [RedisArgument(worker), RedisArgument(maxRedeliveries)] }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> [ReapResult] {
        let values = try reply.expectArray(from: function)
        guard values.count % 4 == 0 else { throw .unexpectedReply("\(function.redisName) answered \(values.count) values") }
        return stride(from: 0, to: values.count, by: 4).map { index in
            ReapResult(worker: values[index].string ?? "", requeued: values[index + 1].int ?? 0,
                       failed: values[index + 2].int ?? 0, alive: values[index + 3].int == 1)
        }
    }
}

/// What reaping a worker did.
public struct ReapResult: Sendable, Equatable {
    public var worker: String
    /// Jobs put back on their queues.
    public var requeued: Int
    /// Jobs that ended FAILURE (redelivered too often) .
    public var failed: Int
    /// Its supervisor heard the probe: it is alive (it could not write its heartbeat); nothing was taken.
    public var alive: Bool
}
