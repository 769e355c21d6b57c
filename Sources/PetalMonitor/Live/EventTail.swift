import Logging
import Petal
import PetalRedis
import ServiceLifecycle

/// Follows the event stream (XREAD BLOCK on a client of its own) for as long as the monitor runs:
/// feeds the metrics and wakes the live pages. Keeps only the last stream id, so memory stays flat
/// however many jobs pass. Waits and retries while Redis is away.
struct EventTail: Service {
    let client: PetalClient
    let metrics: MonitorMetrics
    let live: LiveUpdates
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Backoff(initial: 0.1, maximum: 5)
            var last: String?
            while !Task.isCancelled {
                do {
                    let position = if let last { last } else { try await client.lastEventID() }
                    last = position
                    let events = try await client.events(after: position, block: 1)
                    backoff.reset()
                    guard let newest = events.last else { continue }
                    last = newest.streamID
                    for event in events { metrics.observe(event) }
                    live.changed()
                } catch {
                    logger.warning("event stream: \(error); retrying")
                    try? await Task.sleep(for: .seconds(backoff.next()))
                }
            }
        }
    }
}
