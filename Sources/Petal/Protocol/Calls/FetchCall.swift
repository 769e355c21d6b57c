import PetalRedis

/// `petal_fetch`: a worker's child takes its next job from `queues` (priority order), or nothing.
public struct FetchCall: PetalCall {
    public static let function = PetalFunction.fetch

    public var worker: String
    public var pid: String
    public var queues: [String]

    public init(worker: String, pid: String, queues: [String]) {
        self.worker = worker
        self.pid = pid
        self.queues = queues
    }

    public var arguments: [RedisArgument] {
        [RedisArgument(worker), RedisArgument(pid)] + queues.map { RedisArgument($0) }
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> FetchedJob? {
        try FetchedJob(try reply.expectArray(from: function)[...], from: function)
    }
}

/// A job as fetch (and finish, taking the next) hands it to a child.
public struct FetchedJob: Sendable, Equatable {
    public let id: String
    public let task: String
    public let argsJSON: String
    public let kwargsJSON: String
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

    /// The job in `values`, nil when they are empty (no job); an error for any other shape.
    init?(_ values: ArraySlice<RedisValue>, from function: PetalFunction) throws(RedisError) {
        if values.isEmpty { return nil }
        guard values.count == Self.width else {
            throw .unexpectedReply("\(function.redisName) answered a job of \(values.count) values, not \(Self.width)")
        }
        let text = values.map { $0.string ?? "" }
        guard !text[0].isEmpty, !text[1].isEmpty else { throw .unexpectedReply("\(function.redisName) answered a job without id or task") }
        func seconds(_ index: Int) -> Double? { Double(text[index]).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        id = text[0]
        task = text[1]
        argsJSON = text[2]
        kwargsJSON = text[3]
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
