import PetalRedis

/// `petal_enqueue`: creates jobs (an id that already has a record is left alone) and makes them
/// ready, or schedules them. Replies one flag per job: true when it was created.
public struct EnqueueCall: PetalCall {
    public static let function = PetalFunction.enqueue

    /// One job as the function takes it: text, "" for a field not set (so a test can send what a
    /// client in another language might).
    public struct Job: Sendable, Equatable {
        public var id: String
        public var task: String
        public var queue: String
        public var argsJSON: String
        public var kwargsJSON: String
        public var group = ""
        public var parent = ""
        public var maxRetries = "0"
        public var softTimeLimit = ""
        public var timeLimit = ""
        public var eta = ""
        public var expires = ""
        public var sent: String

        /// The job `request` asks for under `id`, sent at `now` (a countdown and expiry become moments).
        public init(_ request: EnqueueRequest, id: String, now: Double) {
            self.id = id
            task = request.task
            queue = request.queue
            argsJSON = request.argsJSON
            kwargsJSON = request.kwargsJSON
            group = request.group ?? ""
            parent = request.parent ?? ""
            maxRetries = String(request.maxRetries)
            softTimeLimit = request.softTimeLimit.map { String($0) } ?? ""
            timeLimit = request.timeLimit.map { String($0) } ?? ""
            eta = (request.eta?.timeIntervalSince1970 ?? request.countdown.map { now + $0 }).map(Clock.text) ?? ""
            expires = request.expiresIn.map { Clock.text(now + $0) } ?? ""
            sent = Clock.text(now)
        }

        /// The function's field order for one job (enqueue.lua's JOB_FIELDS).
        var fields: [String] {
            [id, task, queue, argsJSON, kwargsJSON, group, parent, maxRetries, softTimeLimit, timeLimit, eta, expires, sent]
        }
    }

    /// Who enqueues, as Celery's `task-sent` names it: `<program>-<pid>@<host>`.
    public var producer: String
    public var jobs: [Job]

    public init(producer: String, jobs: [Job]) {
        self.producer = producer
        self.jobs = jobs
    }

    public var arguments: [RedisArgument] {
        var arguments: [RedisArgument] = [RedisArgument(jobs.count), RedisArgument(producer)]
        arguments.reserveCapacity(2 + jobs.count * 13)
        for job in jobs { arguments.append(contentsOf: job.fields.map { RedisArgument($0) }) }
        return arguments
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> [Bool] {
        try reply.expectArray(from: function).map { $0.int == 1 }
    }
}
