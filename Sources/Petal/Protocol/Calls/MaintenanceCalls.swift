import PetalRedis

/// `petal_promote`: moves up to `limit` due jobs from the scheduled set to their queues. Replies how many.
public struct PromoteCall: PetalCall {
    public static let function = PetalFunction.promote
    public var limit: Int
    public init(limit: Int) { self.limit = limit }
    public var arguments: [RedisArgument] { [RedisArgument(limit)] }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Int { try reply.expectInt(from: function) }
}

/// `petal_trim`: drops the oldest finished jobs beyond `maxCount` or older than `maxAge` seconds,
/// at most `limit` of them, with every index entry. Replies how many.
public struct TrimCall: PetalCall {
    public static let function = PetalFunction.trim
    public var maxCount: Int
    public var maxAge: Double
    public var limit: Int
    public init(maxCount: Int, maxAge: Double, limit: Int) {
        self.maxCount = maxCount
        self.maxAge = maxAge
        self.limit = limit
    }
    public var arguments: [RedisArgument] { [RedisArgument(maxCount), RedisArgument(String(maxAge)), RedisArgument(limit)] }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Int { try reply.expectInt(from: function) }
}

/// `petal_purge`: empties a queue; each job waiting on it ends REVOKED ("Purged"). Replies how many.
public struct PurgeCall: PetalCall {
    public static let function = PetalFunction.purge
    public var queue: String
    public init(queue: String) { self.queue = queue }
    public var arguments: [RedisArgument] { [RedisArgument(queue)] }
    public static func decode(_ reply: RedisValue) throws(RedisError) -> Int { try reply.expectInt(from: function) }
}
