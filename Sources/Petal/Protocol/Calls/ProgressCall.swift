import PetalRedis

/// `petal_progress`: a running task's progress. Replies true when stored, false when the job is
/// not running (nothing is written then).
public struct ProgressCall: PetalCall {
    public static let function = PetalFunction.progress

    public var id: String
    public var current: Double
    public var total: Double
    public var message: String?

    public init(id: String, current: Double, total: Double, message: String? = nil) {
        self.id = id
        self.current = current
        self.total = total
        self.message = message
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(id), RedisArgument(String(current)), RedisArgument(String(total)), RedisArgument(message ?? "")]
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Bool {
        try reply.expectInt(from: function) == 1
    }
}
