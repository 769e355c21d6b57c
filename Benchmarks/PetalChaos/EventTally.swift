import Foundation
import Petal

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

    func add(_ events: [PetalEvent]) {
        for event in events {
            lastID = event.streamID
            read += 1
            guard let job = event.fields["id"] else { continue }
            switch event.type {
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
                    await tally.add(try await client.events(after: from, block: 0.5, count: 5000))
                } catch {
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
        }
    }
}
