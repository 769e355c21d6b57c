import PetalRedis

/// `petal_finish`: a child acknowledges how a job ended and, with `fetchNext`, takes its next job
/// in the same call. Never repeat a finish that takes the next job after a lost reply: it would
/// take a second one. Repeat it with `fetchNext` false (a no-op when the first had landed).
public struct FinishCall: PetalCall {
    public static let function = PetalFunction.finish

    public var worker: String
    public var pid: String
    public var outcome: JobOutcome
    public var fetchNext: Bool
    public var queues: [String]

    public init(worker: String, pid: String, outcome: JobOutcome, fetchNext: Bool, queues: [String]) {
        self.worker = worker
        self.pid = pid
        self.outcome = outcome
        self.fetchNext = fetchNext
        self.queues = queues
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker), RedisArgument(pid), RedisArgument(outcome.id), RedisArgument(outcome.kind.rawValue),
         RedisArgument(outcome.resultJSON), RedisArgument(outcome.exception), RedisArgument(outcome.traceback),
         RedisArgument(Clock.text(outcome.runtime)), fetchNext ? "1" : "0", RedisArgument(Clock.text(outcome.retryAt)),
         RedisArgument(outcome.delivery)] + queues.map { RedisArgument($0) }
    }

    /// What finish did with the outcome.
    public enum Acknowledgement: Int, Sendable {
        /// Stored: the job has ended (or is scheduled for its retry).
        case acknowledged = 1
        /// Nothing to acknowledge: a repeated call after the first landed.
        case nothingInFlight = 0
        /// The job was handed out again since (taken for lost): this run's outcome was discarded.
        case fenced = -1
    }

    public struct Reply: Sendable, Equatable {
        public var acknowledgement: Acknowledgement
        public var next: FetchedJob?
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Reply {
        let values = try reply.expectArray(from: function)
        guard let code = values.first?.int, let acknowledgement = Acknowledgement(rawValue: code) else {
            throw .unexpectedReply("\(function.redisName) answered \(reply)")
        }
        return Reply(acknowledgement: acknowledgement, next: try FetchedJob(values.dropFirst(), from: function))
    }
}

/// How a run of a job ended, ready for finish.
public struct JobOutcome: Sendable, Equatable {
    public enum Kind: String, Sendable { case success = "SUCCESS", failure = "FAILURE", retry = "RETRY" }
    public var id: String
    /// Which delivery of the job this run was (fetch's count): finish acknowledges only that one.
    public var delivery: String
    public var kind: Kind
    public var resultJSON: String
    public var exception: String
    public var traceback: String
    /// Seconds the task ran.
    public var runtime: Double
    /// When a retry is due (seconds since 1970); 0 for the other kinds.
    public var retryAt: Double

    public init(id: String, delivery: String, kind: Kind, resultJSON: String = "", exception: String = "", traceback: String = "",
                runtime: Double, retryAt: Double = 0) {
        self.id = id
        self.delivery = delivery
        self.kind = kind
        self.resultJSON = resultJSON
        self.exception = exception
        self.traceback = traceback
        self.runtime = runtime
        self.retryAt = retryAt
    }
}
