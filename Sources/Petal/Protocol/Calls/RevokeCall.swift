import PetalRedis

/// `petal_revoke`: a waiting job ends REVOKED and never runs; a running one is marked, and with
/// `terminate` its worker is then told to kill it (the terminate control command).
public struct RevokeCall: PetalCall {
    public static let function = PetalFunction.revoke

    public var id: String
    public var terminate: Bool

    public init(id: String, terminate: Bool) {
        self.id = id
        self.terminate = terminate
    }

    public var arguments: [RedisArgument] { [RedisArgument(id), terminate ? "1" : "0"] }

    public struct Reply: Sendable, Equatable {
        public var outcome: PetalClient.RevokeOutcome
        /// The worker running (or that ran) the job, when known.
        public var worker: String?
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Reply {
        let values = try reply.expectArray(from: function)
        guard values.count == 3, let status = values[0].string, let outcome = PetalClient.RevokeOutcome(rawValue: status) else {
            throw .unexpectedReply("\(function.redisName) answered \(reply)")
        }
        let worker = values[1].string ?? ""
        return Reply(outcome: outcome, worker: worker.isEmpty ? nil : worker)
    }
}
