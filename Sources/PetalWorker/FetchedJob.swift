import Petal
import PetalRedis

/// A job as the fetch script hands it to a child (field order in docs/PROTOCOL.md).
struct FetchedJob: Sendable {
    let id: String
    let task: String
    let argsJSON: String
    let kwargsJSON: String
    let softTimeLimit: Double?
    let timeLimit: Double?
    let retries: Int
    let maxRetries: Int
    let queue: String
    let group: String?
    let deliveries: Int
    /// The delivery number as fetch wrote it: finish is fenced with it.
    let delivery: String
    /// Limits set at run time by the `time_limit` control command: (soft, hard), 0 = none.
    let overrideLimits: (Double, Double)?

    /// Parses the script's reply from `offset`; nil when the reply holds no job.
    init?(reply: [RedisValue], offset: Int = 0) {
        guard reply.count >= offset + 12, let id = reply[offset].string, let task = reply[offset + 1].string else { return nil }
        func number(_ index: Int) -> Double? { reply[offset + index].string.flatMap { Double($0) }.flatMap { $0 > 0 ? $0 : nil } }
        self.id = id
        self.task = task
        argsJSON = reply[offset + 2].string ?? "[]"
        kwargsJSON = reply[offset + 3].string ?? "{}"
        softTimeLimit = number(4)
        timeLimit = number(5)
        retries = reply[offset + 6].int ?? 0
        maxRetries = reply[offset + 7].int ?? 0
        queue = reply[offset + 8].string ?? ""
        let group = reply[offset + 9].string ?? ""
        self.group = group.isEmpty ? nil : group
        delivery = reply[offset + 10].string ?? "1"
        deliveries = Int(delivery) ?? 1
        let limits = (reply[offset + 11].string ?? "").split(separator: " ").compactMap { Double($0) }
        overrideLimits = limits.count == 2 ? (limits[0], limits[1]) : nil
    }
}

/// How a run of a job ended, ready for the finish script.
struct JobOutcome: Sendable {
    enum Kind: String, Sendable { case success = "SUCCESS", failure = "FAILURE", retry = "RETRY" }
    let id: String
    /// Which delivery of the job this run was (fetch's count): finish acknowledges only that one.
    let delivery: String
    let kind: Kind
    var resultJSON: String = ""
    var exception: String = ""
    var traceback: String = ""
    let runtime: Double
    var retryAt: Double = 0
}
