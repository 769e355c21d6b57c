import Foundation
import PetalRedis

/// A queue as the dashboard shows it.
public struct QueueSummary: Sendable, Equatable {
    public var name: String
    /// Jobs waiting.
    public var length: Int
    /// Seconds the oldest waiting job has waited (0 when empty).
    public var latency: Double
    /// Online workers consuming the queue.
    public var consumers: [String]
    public var paused: Bool
}

extension PetalClient {
    /// Every worker seen in the last day, online first. Online = heartbeat key present. Running jobs
    /// (`active`) come from the in-flight lists, not the heartbeat, so they are current.
    public func workers() async throws(PetalError) -> [WorkerRecord] {
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            let names = try connection.command(["ZRANGE", RedisArgument(keys.workers), "0", "-1", "WITHSCORES"]).array ?? []
            var seen: [(String, Double?)] = []
            var index = 0
            while index + 1 < names.count {
                if let name = names[index].string { seen.append((name, names[index + 1].double)) }
                index += 2
            }
            let commands: [[RedisArgument]] = seen.flatMap { name, _ in
                [["HGETALL", RedisArgument(keys.worker(name))], ["HGETALL", RedisArgument(keys.workerStats(name))],
                 ["HGETALL", RedisArgument(keys.workerTasks(name))]]
            }
            let replies = try connection.pipeline(commands)
            var records = seen.enumerated().map { offset, entry in
                WorkerRecord(name: entry.0, heartbeat: replies[offset * 3].fieldMap, stats: replies[offset * 3 + 1].fieldMap,
                             tasks: replies[offset * 3 + 2].fieldMap, lastSeen: entry.1)
            }
            let online = records.indices.filter { records[$0].online }
            let active = try ActiveJobs.read(online.map { records[$0].name }, keys: keys, connection: connection)
            for (index, jobs) in zip(online, active) { records[index].active = jobs }
            return records.sorted { ($0.online ? 0 : 1, $0.name) < ($1.online ? 0 : 1, $1.name) }
        }
    }

    /// One worker by name, or nil if it never sent a heartbeat (or was purged).
    public func worker(_ name: String) async throws(PetalError) -> WorkerRecord? {
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            let replies = try connection.pipeline([
                ["ZSCORE", RedisArgument(keys.workers), RedisArgument(name)],
                ["HGETALL", RedisArgument(keys.worker(name))], ["HGETALL", RedisArgument(keys.workerStats(name))],
                ["HGETALL", RedisArgument(keys.workerTasks(name))],
            ])
            guard let lastSeen = replies[0].double else { return nil }
            var record = WorkerRecord(name: name, heartbeat: replies[1].fieldMap, stats: replies[2].fieldMap,
                                      tasks: replies[3].fieldMap, lastSeen: lastSeen)
            if record.online { record.active = try ActiveJobs.read([name], keys: keys, connection: connection)[0] }
            return record
        }
    }

    /// Every known queue (enqueued to, or consumed by an online worker) with length and latency.
    /// Pass the workers when already read, to save reading them again.
    public func queues(workers known: [WorkerRecord]? = nil) async throws(PetalError) -> [QueueSummary] {
        let all = if let known { known } else { try await workers() }
        let workers = all.filter(\.online)
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            var names = Set((try connection.command(["SMEMBERS", RedisArgument(keys.queues)]).array ?? []).compactMap(\.string))
            for worker in workers { names.formUnion(worker.queues) }
            let sorted = names.sorted()
            let paused = Set((try connection.command(["SMEMBERS", RedisArgument(keys.paused)]).array ?? []).compactMap(\.string))
            let heads = try connection.pipeline(sorted.flatMap { name in
                [["LLEN", RedisArgument(keys.queue(name))], ["LINDEX", RedisArgument(keys.queue(name)), "-1"]]
            })
            let oldestIDs = sorted.indices.map { heads[$0 * 2 + 1].string }
            let sentTimes = try connection.pipeline(oldestIDs.map { id in
                ["HGET", RedisArgument(keys.job(id ?? "-")), "sent"]
            })
            let now = Clock.now()
            return sorted.enumerated().map { index, name in
                let length = heads[index * 2].int ?? 0
                let latency = length > 0 ? sentTimes[index].double.map { max(0, now - $0) } ?? 0 : 0
                return QueueSummary(name: name, length: length, latency: latency,
                                    consumers: workers.filter { $0.queues.contains(name) }.map(\.name).sorted(),
                                    paused: paused.contains(name))
            }
        }
    }

    /// Task names the online workers can run (from their heartbeats), sorted.
    public func registeredTaskNames() async throws(PetalError) -> [String] {
        Set(try await workers().filter(\.online).flatMap(\.registered)).sorted()
    }

    /// Task names ever enqueued (Flower's /api/task/types).
    public func taskNames() async throws(PetalError) -> [String] {
        let key = keys.tasks
        let reply = try await run { connection throws(RedisError) in try connection.command(["SMEMBERS", RedisArgument(key)]) }
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    /// Jobs waiting for their countdown, ETA or retry.
    public func scheduledCount() async throws(PetalError) -> Int {
        let key = keys.scheduled
        return try await run { connection throws(RedisError) in try connection.command(["ZCARD", RedisArgument(key)]).int ?? 0 }
    }

    /// Values found on queues that were not job ids, newest first (JSON entries, see PROTOCOL.md).
    public func deadLetters(limit: Int = 100) async throws(PetalError) -> [String] {
        let key = keys.dead
        let reply = try await run { connection throws(RedisError) in
            try connection.command(["LRANGE", RedisArgument(key), "0", RedisArgument(max(0, limit - 1))])
        }
        return (reply.array ?? []).compactMap(\.string)
    }

    /// The ids of a group's jobs, newest first.
    public func groupJobIDs(_ group: String, limit: Int = 100) async throws(PetalError) -> [String] {
        let key = keys.group(group)
        let reply = try await run { connection throws(RedisError) in
            try connection.command(["ZREVRANGE", RedisArgument(key), "0", RedisArgument(max(0, limit - 1))])
        }
        return (reply.array ?? []).compactMap(\.string)
    }
}

/// Job counts since the counters began (the `stats:total` hash).
public typealias JobTotals = JobCounts

extension PetalClient {
    public func totals() async throws(PetalError) -> JobTotals {
        let key = keys.statsTotal
        let fields = try await run { connection throws(RedisError) in try connection.command(["HGETALL", RedisArgument(key)]) }.fieldMap
        return JobCounts(fields: fields)
    }
}

extension PetalClient {
    /// How many dead letters are kept (at most 10,000).
    public func deadLetterCount() async throws(PetalError) -> Int {
        let key = keys.dead
        return try await run { connection throws(RedisError) in try connection.command(["LLEN", RedisArgument(key)]).int ?? 0 }
    }
}

extension PetalClient {
    /// Names of the workers seen in the last day, sorted, without reading their records.
    public func workerNames() async throws(PetalError) -> [String] {
        let key = keys.workers
        let reply = try await run { connection throws(RedisError) in try connection.command(["ZRANGE", RedisArgument(key), "0", "-1"]) }
        return (reply.array ?? []).compactMap(\.string).sorted()
    }
}

extension PetalClient {
    /// Jobs waiting on every known queue together (one LLEN each, one round trip).
    public func queuedCount() async throws(PetalError) -> Int {
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            let names = (try connection.command(["SMEMBERS", RedisArgument(keys.queues)]).array ?? []).compactMap(\.string)
            guard !names.isEmpty else { return 0 }
            return try connection.pipeline(names.map { ["LLEN", RedisArgument(keys.queue($0))] }).reduce(0) { $0 + ($1.int ?? 0) }
        }
    }
}
