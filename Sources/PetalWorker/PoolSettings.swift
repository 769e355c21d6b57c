import Foundation
import Petal
import PetalSystem

/// What remote control may change in a running worker (the pool size aimed for, autoscale's bounds,
/// the queues consumed, per-task time limits) and the rules for changing it, apart from processes
/// and Redis: `decide` answers a command with what the supervisor is to do (unit-tested in
/// PoolSettingsTests without a worker).
struct PoolSettings: Equatable {
    var targetSize: Int
    var autoscale: Autoscaler?
    var queues: [String]
    /// Run-time limits per task, `[soft, hard]`, set by `time_limit` (also in the heartbeat).
    var timeLimits: [String: [Double]] = [:]
    /// This worker's own rate limits per task, set by `rate_limit` (also in the heartbeat).
    var rateLimits: [String: RateLimit] = [:]

    init(concurrency: Int, autoscaleMin: Int?, autoscaleMax: Int?, queues: [String]) {
        if let low = autoscaleMin, let high = autoscaleMax {
            autoscale = Autoscaler(min: low, max: high)
            targetSize = max(low, min(concurrency, high))
        } else {
            targetSize = concurrency
        }
        self.queues = queues
    }

    /// What a command asks of the supervisor once the settings have changed.
    enum Action: Equatable {
        /// Answer; nothing else to do.
        case answer(JSONValue)
        /// The settings changed: answer, and say so in the heartbeat (and tell the children the
        /// queues when they changed).
        case changed(JSONValue, queuesChanged: Bool)
        /// Replace every child once it has finished its job.
        case restartPool
        case shutdown
        /// Store the limits in Redis (where fetch reads them), then in `timeLimits`.
        case setTimeLimits(task: String, soft: Double, hard: Double)
        /// Store this worker's own rate limit in Redis (where fetch reads it), then in `rateLimits`.
        case setRateLimit(task: String, rate: RateLimit?)
        /// Kill the child running the job, or the one that begins it.
        case terminate(id: String, signal: Int32)
    }

    /// Changes the settings as `command` asks, or refuses; `shuttingDown` refuses growing.
    mutating func decide(_ command: ControlCommand, shuttingDown: Bool) throws(WorkerError) -> Action {
        switch command {
        case .ping:
            return .answer("pong")
        case .poolGrow(let n):
            guard !shuttingDown else { throw .controlRefused("worker is shutting down") }
            targetSize = min(ControlCommand.maximumPoolSize, targetSize + n)
            autoscale?.include(targetSize)
            return .changed(.string("pool will grow to \(targetSize)"), queuesChanged: false)
        case .poolShrink(let n):
            targetSize = max(0, targetSize - n)
            autoscale?.include(targetSize)
            return .changed(.string("pool will shrink to \(targetSize)"), queuesChanged: false)
        case .poolRestart:
            return .restartPool
        case .autoscale(let high, let low):
            autoscale = Autoscaler(min: low, max: high)
            targetSize = max(low, min(targetSize, high))
            return .changed(.string("autoscale now max=\(high) min=\(low)"), queuesChanged: false)
        case .shutdown:
            return .shutdown
        case .addConsumer(let queue):
            guard !queues.contains(queue) else { return .answer(.string("already consuming from \(queue)")) }
            queues.append(queue)
            return .changed(.string("add consumer \(queue)"), queuesChanged: true)
        case .cancelConsumer(let queue):
            guard queues.contains(queue) else { throw .controlRefused("not consuming from \(queue)") }
            guard queues.count > 1 else { throw .controlRefused("cannot cancel the last queue \(queue)") }
            queues.removeAll { $0 == queue }
            return .changed(.string("no longer consuming from \(queue)"), queuesChanged: true)
        case .timeLimit(let task, let soft, let hard):
            return .setTimeLimits(task: task, soft: soft, hard: hard)
        case .rateLimit(let task, let rate):
            return .setRateLimit(task: task, rate: rate)
        case .terminate(let id, let signalName):
            return .terminate(id: id, signal: SignalName.parse(signalName) ?? SIGTERM)
        }
    }
}
