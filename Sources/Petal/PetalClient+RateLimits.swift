import Foundation
import PetalRedis

/// A task's rate limits as the monitor and `petal control rate-limits` show them.
public struct TaskRateLimit: Sendable, Equatable {
    public var task: String
    /// The fleet-wide limit (nil: none).
    public var fleet: RateLimit?
    /// What the workers' code declares (nil: none, or no worker declared it).
    public var declared: RateLimit?
    /// Online workers' own limits, by worker name.
    public var workers: [String: RateLimit]
    /// Jobs set aside waiting for their slot.
    public var waiting: Int
    /// The earliest waiting job's slot (Clock seconds), when any waits.
    public var nextSlot: Double?
}

/// Rate limits (docs/API.md, "Rate limits"): the fleet-wide ones are set here; a worker's own go
/// to it as the `rate_limit` control command (`control(.rateLimit(task:rate:), destination:)`).
extension PetalClient {
    /// Sets (or with nil removes) a task's fleet-wide rate limit. The jobs already waiting on the
    /// old limit go back to the heads of their queues and are planned again under the new one.
    @discardableResult
    public func setRateLimit(_ rate: RateLimit?, for task: String) async throws(PetalError) -> RateLimitCall.Reply {
        try TaskName.validate(task)
        let (keys, call) = (self.keys, RateLimitCall(limits: [(task, rate)]))
        return try await run { connection throws(RedisError) in try connection.call(call, keys: keys) }
    }

    /// Every task with a limit (fleet-wide, declared in code, or an online worker's own) or with
    /// jobs waiting on one, by name.
    public func rateLimits() async throws(PetalError) -> [TaskRateLimit] {
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            let names = (try connection.command(["ZRANGE", RedisArgument(keys.workers), "0", "-1"]).array ?? []).compactMap(\.string)
            let replies = try connection.pipeline([["HGETALL", RedisArgument(keys.rateLimits)], ["HGETALL", RedisArgument(keys.rateLimitsDeclared)]]
                + names.flatMap { [["EXISTS", RedisArgument(keys.worker($0))], ["HGETALL", RedisArgument(keys.workerRateLimits($0))]] })
            let fleet = replies[0].fieldMap, declared = replies[1].fieldMap
            var workers: [String: [String: RateLimit]] = [:]
            for (index, name) in names.enumerated() where replies[2 + index * 2].int == 1 {
                for (task, text) in replies[3 + index * 2].fieldMap {
                    if let rate = try? RateLimit.parse(text) { workers[task, default: [:]][name] = rate }
                }
            }
            let tasks = Set(fleet.keys).union(declared.keys).union(workers.keys).sorted {
                Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
            }
            let waits = try connection.pipeline(tasks.flatMap { task in
                [["ZCARD", RedisArgument(keys.rateWaiting(task: task))],
                 ["ZRANGE", RedisArgument(keys.rateWaiting(task: task)), "0", "0", "WITHSCORES"]]
            })
            return tasks.enumerated().map { index, task in
                TaskRateLimit(task: task, fleet: fleet[task].flatMap { try? RateLimit.parse($0) },
                              declared: declared[task].flatMap { try? RateLimit.parse($0) }, workers: workers[task] ?? [:],
                              waiting: waits[index * 2].int ?? 0, nextSlot: waits[index * 2 + 1].array?.dropFirst().first?.double)
            }
        }
    }
}
