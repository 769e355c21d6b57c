import Foundation
import Petal
import PetalRedis

/// Where every submitted job ended, read from Redis at the end, checked against the event tally.
struct Census {
    var submitted = 0
    var succeeded = 0
    var failedByReason: [String: Int] = [:]
    var revoked = 0
    /// Not final, but still on a queue, in flight or scheduled: it would run, it has not yet.
    var stuck: [String] = []
    /// Not final and nowhere Petal would find it again, or its record is gone.
    var lost: [String] = []
    /// More than one final event (task-succeeded/-failed/-revoked) for the same job.
    var completedTwice: [String] = []
    /// More than one task-started event: delivered again (after a kill), which at-least-once allows.
    var startedMoreThanOnce = 0
    /// Final in its record, but no final event was seen for it (the tally missed it).
    var unobserved = 0

    var finished: Int { succeeded + failedByReason.values.reduce(0, +) + revoked }

    static func take(ids: [String], client: PetalClient, redis: RedisClient, tally: EventTally) async throws -> Census {
        var census = Census(submitted: ids.count)
        let keys = client.keys
        let finals = await tally.finals, started = await tally.started
        var waiting: Set<String> = []
        var start = 0
        var unfinished: [String] = []
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 1000, ids.count)])
            let records = try await redis.pipeline(chunk.map { ["HMGET", RedisArgument(keys.job($0)), "state", "exception"] })
            for (id, record) in zip(chunk, records) {
                let fields = record.array ?? []
                let state = fields.first?.string
                if ["SUCCESS", "FAILURE", "REVOKED"].contains(state), finals[id] == nil { census.unobserved += 1 }
                switch state {
                case "SUCCESS": census.succeeded += 1
                case "FAILURE":
                    let exception = fields.count > 1 ? fields[1].string ?? "" : ""
                    census.failedByReason[String(exception.prefix { $0 != ":" }), default: 0] += 1
                case "REVOKED": census.revoked += 1
                case nil: census.lost.append(id)
                default: unfinished.append(id)
                }
            }
            start += 1000
        }
        if !unfinished.isEmpty {
            // Everywhere a job can wait: queues, in-flight lists, the scheduled set.
            let queues = (try await redis.command(["SMEMBERS", RedisArgument(keys.queues)]).array ?? []).compactMap(\.string)
            let inflight = (try await redis.command(["KEYS", RedisArgument(keys.prefix + ":inflight:*")]).array ?? []).compactMap(\.string)
            for list in queues.map(keys.queue) + inflight {
                waiting.formUnion((try await redis.command(["LRANGE", RedisArgument(list), "0", "-1"]).array ?? []).compactMap(\.string))
            }
            waiting.formUnion((try await redis.command(["ZRANGE", RedisArgument(keys.scheduled), "0", "-1"]).array ?? []).compactMap(\.string))
            for id in unfinished {
                if waiting.contains(id) { census.stuck.append(id) } else { census.lost.append(id) }
            }
        }
        census.completedTwice = finals.filter { $0.value > 1 }.map(\.key).sorted()
        census.startedMoreThanOnce = started.values.filter { $0 > 1 }.count
        return census
    }

    func report(seconds: Double, kills: ChaosCounts, eventsRead: Int) -> String {
        var lines: [String] = []
        lines.append("submitted           \(submitted)")
        lines.append("SUCCESS             \(succeeded)")
        let failures = failedByReason.values.reduce(0, +)
        lines.append("FAILURE             \(failures)")
        for (reason, count) in failedByReason.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(reason.padding(toLength: 18, withPad: " ", startingAt: 0))\(count)")
        }
        lines.append("REVOKED             \(revoked)")
        lines.append("stuck               \(stuck.count)")
        lines.append("lost                \(lost.count)")
        lines.append("completed twice     \(completedTwice.count)")
        lines.append("")
        lines.append("delivered more than once (after a kill): \(startedMoreThanOnce)")
        lines.append("final states without a final event seen: \(unobserved)")
        lines.append("events read: \(eventsRead)")
        lines.append("chaos: \(kills.children) children and \(kills.workers) whole workers killed with SIGKILL, Redis restarted \(kills.redisRestarts) time(s) (down \(String(format: "%.1f", kills.redisDownSeconds)) s)")
        lines.append("took \(String(format: "%.0f", seconds)) s")
        for (label, ids) in [("stuck", stuck), ("lost", lost), ("completed twice", completedTwice)] where !ids.isEmpty {
            lines.append("\(label): \(ids.prefix(20).joined(separator: " "))")
        }
        return lines.joined(separator: "\n")
    }
}

struct ChaosCounts {
    var children = 0
    var workers = 0
    var redisRestarts = 0
    var redisDownSeconds = 0.0
}
