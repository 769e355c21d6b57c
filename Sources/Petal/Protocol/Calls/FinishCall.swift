import PetalRedis

/// `petal_finish`: a child acknowledges how its jobs ended (each on its own) and takes up to
/// `take` next jobs in the same call. Never repeat a finish that takes jobs after a lost reply: it
/// would take others. Repeat it taking none (a no-op for what had landed), then give back what the
/// lost reply held with child_lost.
public struct FinishCall: PetalCall {
    public static let function = PetalFunction.finish

    public var worker: String
    public var pid: String
    public var outcomes: [JobOutcome]
    public var take: Int
    public var queues: [String]

    public init(worker: String, pid: String, outcomes: [JobOutcome], take: Int, queues: [String]) {
        self.worker = worker
        self.pid = pid
        self.outcomes = outcomes
        self.take = take
        self.queues = queues
    }

    public var arguments: [RedisArgument] {
        var arguments: [RedisArgument] = [RedisArgument(worker), RedisArgument(pid), RedisArgument(outcomes.count)]
        arguments.reserveCapacity(4 + outcomes.count * 8 + queues.count)
        for outcome in outcomes {
            arguments += [RedisArgument(outcome.id), RedisArgument(outcome.kind.rawValue), RedisArgument(outcome.resultJSON),
                          RedisArgument(outcome.exception), RedisArgument(outcome.traceback), RedisArgument(Clock.text(outcome.runtime)),
                          RedisArgument(Clock.text(outcome.retryAt)), RedisArgument(outcome.delivery)]
        }
        arguments.append(RedisArgument(max(0, take)))
        return arguments + queues.map { RedisArgument($0) }
    }

    /// What finish did with an outcome.
    public enum Acknowledgement: Int, Sendable {
        /// Stored: the job has ended (or is scheduled for its retry).
        case acknowledged = 1
        /// Nothing to acknowledge: a repeated call after the first landed, or the job ended otherwise.
        case nothingInFlight = 0
        /// The job was handed out again since (taken for lost): this run's outcome was discarded.
        case fenced = -1
    }

    public struct Reply: Sendable, Equatable {
        /// One per outcome, in order.
        public var acknowledgements: [Acknowledgement]
        /// The jobs taken (and when rate-limited jobs are next due).
        public var taken: TakenJobs
        public var next: [FetchedJob] { taken.jobs }
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Reply {
        let values = try reply.expectArray(from: function)
        var acknowledgements: [Acknowledgement] = []
        var index = 0
        // The acknowledgements are integers; the jobs that follow start with an id (text).
        while index < values.count, case .integer(let code) = values[index] {
            guard let acknowledgement = Acknowledgement(rawValue: code) else { throw .unexpectedReply("\(function.redisName) answered \(code)") }
            acknowledgements.append(acknowledgement)
            index += 1
        }
        return Reply(acknowledgements: acknowledgements, taken: try TakenJobs(values[index...], from: function))
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
