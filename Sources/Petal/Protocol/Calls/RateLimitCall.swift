import PetalRedis

/// `petal_rate_limit`: sets tasks' rate limits, fleet-wide (`worker` nil) or one worker's own. A
/// limit that changes resets its budget and puts the jobs waiting on it back at the heads of their
/// queues. `declared`: a worker stating what its code says (fleet-wide only), applied where the
/// declaration changed. Replies how many limits changed and how many jobs went back.
public struct RateLimitCall: PetalCall {
    public static let function = PetalFunction.rateLimit

    public var worker: String?
    public var declared: Bool
    /// Task name and its limit (nil: none).
    public var limits: [(task: String, rate: RateLimit?)]

    public init(worker: String? = nil, declared: Bool = false, limits: [(task: String, rate: RateLimit?)]) {
        self.worker = worker
        self.declared = declared
        self.limits = limits
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker ?? ""), RedisArgument(declared ? "code" : "set")]
            + limits.flatMap { [RedisArgument($0.task), RedisArgument($0.rate?.description ?? "")] }
    }

    public struct Reply: Sendable, Equatable {
        public var changed: Int
        public var jobsPutBack: Int
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Reply {
        let values = try reply.expectArray(from: function)
        guard values.count == 2, let changed = values[0].int, let back = values[1].int else {
            throw .unexpectedReply("\(function.redisName) answered \(values.count) values, not 2 counts")
        }
        return Reply(changed: changed, jobsPutBack: back)
    }
}
