import PetalRedis

/// `petal_fetch`: a worker's child takes up to `most` jobs from `queues` (priority order): each is
/// moved to the worker's in-flight list and marked STARTED, and the child runs them in turn. Jobs
/// over their task's rate limit are set aside to wait for their slot (docs/PROTOCOL.md, "Rate limits").
public struct FetchCall: PetalCall {
    public static let function = PetalFunction.fetch

    public var worker: String
    public var pid: String
    public var queues: [String]
    public var most: Int

    public init(worker: String, pid: String, queues: [String], most: Int = 1) {
        self.worker = worker
        self.pid = pid
        self.queues = queues
        self.most = most
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker), RedisArgument(pid), RedisArgument(max(1, most))] + queues.map { RedisArgument($0) }
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> TakenJobs {
        try TakenJobs(try reply.expectArray(from: function)[...], from: function)
    }
}

/// What a take (fetch, or finish taking the next) hands a child: the jobs, and when it took fewer
/// than asked while jobs of its queues wait on a rate limit, the earliest of their slots, so an
/// idle child waits for its bell no longer than that.
public struct TakenJobs: Sendable, Equatable {
    public var jobs: [FetchedJob]
    /// Clock seconds (as the callers' clocks count).
    public var nextRateSlot: Double?

    public init(jobs: [FetchedJob], nextRateSlot: Double? = nil) {
        self.jobs = jobs
        self.nextRateSlot = nextRateSlot
    }

    /// The jobs in `values`, `FetchedJob.width` values each, then maybe the slot.
    init(_ values: ArraySlice<RedisValue>, from function: PetalFunction) throws(RedisError) {
        var values = values
        let width = FetchedJob.width
        if values.count % width == 1 {
            guard let text = values.last?.string, let slot = Double(text), slot.isFinite else {
                throw .unexpectedReply("\(function.redisName) answered a slot that is not a time: \(values.last?.string?.prefix(40) ?? "?")")
            }
            nextRateSlot = slot
            values = values.dropLast()
        }
        guard values.count % width == 0 else {
            throw .unexpectedReply("\(function.redisName) answered \(values.count) values, not jobs of \(width)")
        }
        jobs = []
        var start = values.startIndex
        while start < values.endIndex {
            jobs.append(try FetchedJob(values[start..<start + width], from: function))
            start += width
        }
    }
}

/// A job as fetch (and finish, taking the next) hands it to a child.
public struct FetchedJob: Sendable, Equatable {
    public let id: String
    public let task: String
    public let argsJSON: String
    public let kwargsJSON: String
    /// False when the stored args or kwargs were not UTF-8 (the text above has U+FFFD in their place).
    public let argumentsAreUTF8: Bool
    public let softTimeLimit: Double?
    public let timeLimit: Double?
    public let retries: Int
    public let maxRetries: Int
    public let queue: String
    public let group: String?
    public let deliveries: Int
    /// The delivery number as fetch wrote it: finish is fenced with it.
    public let delivery: String
    /// Limits set at run time by the `time_limit` control command: (soft, hard), 0 = none.
    public let overrideLimits: Limits?

    public struct Limits: Sendable, Equatable {
        public let soft: Double
        public let hard: Double
    }

    /// How many values a job takes in a reply (take's reply in prelude.lua).
    static let width = 12

    /// The job in `values` (`width` of them).
    init(_ values: ArraySlice<RedisValue>, from function: PetalFunction) throws(RedisError) {
        let text = values.map { $0.string ?? "" }
        guard !text[0].isEmpty, !text[1].isEmpty else { throw .unexpectedReply("\(function.redisName) answered a job without id or task") }
        func seconds(_ index: Int) -> Double? { Double(text[index]).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        id = text[0]
        task = text[1]
        argsJSON = text[2]
        kwargsJSON = text[3]
        argumentsAreUTF8 = values.dropFirst(2).prefix(2).allSatisfy { value in
            guard case .bulk(let bytes) = value else { return true }
            return String(validating: bytes, as: UTF8.self) != nil
        }
        softTimeLimit = seconds(4)
        timeLimit = seconds(5)
        retries = Int(text[6]) ?? 0
        maxRetries = Int(text[7]) ?? 0
        queue = text[8]
        group = text[9].isEmpty ? nil : text[9]
        delivery = text[10]
        deliveries = Int(delivery) ?? 1
        let limits = text[11].split(separator: " ").compactMap { Double($0) }
        overrideLimits = limits.count == 2 ? Limits(soft: limits[0], hard: limits[1]) : nil
    }
}
