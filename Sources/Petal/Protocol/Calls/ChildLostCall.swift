import PetalRedis

/// `petal_child_lost`: a worker's child ended while it held jobs; each of its jobs still in flight
/// ends REVOKED (a revoke was asked for), goes back to its queue, or ends FAILURE with `reason`.
/// Replies the ids handled.
public struct ChildLostCall: PetalCall {
    public static let function = PetalFunction.childLost

    /// What becomes of the child's jobs that were not revoked.
    public enum Mode: String, Sendable {
        /// They end FAILURE with the reason (a crash, the hard time limit).
        case fail
        /// They go back to the front of their queue (a shutdown, a lost reply).
        case requeue
    }

    public var worker: String
    public var pid: String
    public var reason: String
    public var mode: Mode

    public init(worker: String, pid: String, reason: String, mode: Mode) {
        self.worker = worker
        self.pid = pid
        self.reason = reason
        self.mode = mode
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker), RedisArgument(pid), RedisArgument(reason), RedisArgument(mode.rawValue)]
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> [String] {
        try reply.expectArray(from: function).compactMap(\.string)
    }
}
