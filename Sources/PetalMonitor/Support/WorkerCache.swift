import Petal
import Synchronization

/// The workers' records as read at most `freshFor` seconds ago. Heartbeats change every couple
/// of seconds, so pages, the live stream, the API and /metrics arriving together share one read
/// of the worker hashes instead of each reading hundreds. Nothing outlives the process.
final class WorkerCache: Sendable {
    private let client: PetalClient
    private let freshFor: Double
    private let latest = Mutex<(time: Double, workers: [WorkerRecord])?>(nil)

    init(client: PetalClient, freshFor: Double = 0.25) {
        self.client = client
        self.freshFor = freshFor
    }

    /// The cached list, or a fresh read when it is older than `freshFor` (or `refresh` is set).
    func workers(refresh: Bool = false) async throws(PetalError) -> [WorkerRecord] {
        if !refresh, let cached = latest.withLock({ $0 }), Clock.now() - cached.time < freshFor { return cached.workers }
        let fresh = try await client.workers()
        latest.withLock { $0 = (Clock.now(), fresh) }
        return fresh
    }
}
