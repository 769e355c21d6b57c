import PetalRedis

/// `petal_child_lost`: a worker's child ended while it held jobs. Of its jobs still in flight, a
/// revoked one ends REVOKED, the one it was running ends FAILURE with `reason` (mode `fail`), and
/// every other goes back to its queue (it had not started, or its result never reached Redis).
/// Replies the ids handled.
public struct ChildLostCall: PetalCall {
    public static let function = PetalFunction.childLost

    /// What becomes of the child's jobs that were not revoked.
    public enum Mode: String, Sendable {
        /// The running one ends FAILURE with the reason (a crash, the hard time limit).
        case fail
        /// All go back to the front of their queue (a shutdown, a lost reply).
        case requeue
        /// A live child gives back the jobs it took ahead: all but the one it is running (named in
        /// `running`) go back to the front of their queue.
        case release
    }

    public var worker: String
    public var pid: String
    public var reason: String
    public var mode: Mode
    /// The job the child was running when it ended, if any.
    public var running: String?

    public init(worker: String, pid: String, reason: String, mode: Mode, running: String? = nil) {
        self.worker = worker
        self.pid = pid
        self.reason = reason
        self.mode = mode
        self.running = running
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker), RedisArgument(pid), RedisArgument(reason), RedisArgument(mode.rawValue), RedisArgument(running ?? "")]
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> [String] {
        try reply.expectArray(from: function).compactMap(\.string)
    }
}
