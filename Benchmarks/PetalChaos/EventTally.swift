import Foundation
import Petal
import PetalRedis

/// Counts, per job id, the events the chaos run cares about, read from the event stream as they
/// come (XREAD from the start, following across the Redis restart). This is the run's own record of
/// what happened, kept outside Redis: "completed twice" is a job with two final events here,
/// whatever the job records say.
actor EventTally {
    private(set) var started: [String: Int] = [:]
    private(set) var finals: [String: Int] = [:]
    private(set) var succeeded: [String: Int] = [:]
    private(set) var read = 0
    private var lastID = "0"

    func add(_ entries: [RedisValue]) {
        for entry in entries {
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { continue }
            lastID = id
            read += 1
            let fields = parts[1].fieldMap
            guard let job = fields["id"], let type = fields["type"] else { continue }
            switch type {
            case "task-started": started[job, default: 0] += 1
            case "task-succeeded":
                succeeded[job, default: 0] += 1
                finals[job, default: 0] += 1
            case "task-failed", "task-revoked": finals[job, default: 0] += 1
            default: break
            }
        }
    }

    var position: String { lastID }

    /// Follows the stream until cancelled; an outage only pauses it.
    static func follow(_ tally: EventTally, client: PetalClient) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                do {
                    let from = await tally.position
                    let reply = try await client.redis.blocking(["XREAD", "COUNT", "5000", "BLOCK", "500", "STREAMS",
                                                                  RedisArgument(client.keys.events), RedisArgument(from)],
                                                                 blockSeconds: 0.5)
                    let entries = reply.array?.first?.array?.last?.array ?? []
                    await tally.add(entries)
                } catch {
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
        }
    }
}
