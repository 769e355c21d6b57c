import Petal
import Synchronization

/// The workers' records as read at most about `freshFor` seconds ago. Heartbeats change every
/// couple of seconds, so pages, the live stream, the API and /metrics share one read of the worker
/// hashes instead of each reading hundreds. When the copy is stale, one background read replaces it
/// while requests go on with the copy they have (stale-while-revalidate, for at most `maxStale`
/// seconds); only the first request, or one asking `refresh`, waits for Redis. Nothing outlives
/// the process.
final class WorkerCache: Sendable {
    private struct State {
        var time = 0.0
        var generation = 0
        var workers: [WorkerRecord]?
        var reading: Task<[WorkerRecord], Error>?
    }

    private enum Plan {
        case cached(Int, [WorkerRecord])
        case join(Task<[WorkerRecord], Error>)
    }

    private let client: PetalClient
    private let freshFor: Double
    private let maxStale = 5.0
    private let state = Mutex(State())

    init(client: PetalClient, freshFor: Double = 0.25) {
        self.client = client
        self.freshFor = freshFor
    }

    func workers(refresh: Bool = false) async throws -> [WorkerRecord] {
        try await snapshot(refresh: refresh).workers
    }

    /// The list with a number that changes whenever it was read again, for callers that keep
    /// something derived from it (the API's JSON text).
    func snapshot(refresh: Bool = false) async throws -> (generation: Int, workers: [WorkerRecord]) {
        let plan = state.withLock { state -> Plan in
            let age = Clock.now() - state.time
            if state.reading == nil, age >= freshFor || refresh || state.workers == nil { state.reading = startReading() }
            // A copy too old to stand in (Redis away for a while) is not served: the caller waits, and
            // sees the outage.
            if !refresh, age < maxStale, let workers = state.workers { return .cached(state.generation, workers) }
            return .join(state.reading!)
        }
        switch plan {
        case .cached(let generation, let workers): return (generation, workers)
        case .join(let reading):
            _ = try await reading.value
            return state.withLock { ($0.generation, $0.workers ?? []) }
        }
    }

    /// One read of every worker; stores it when done (or forgets the attempt on failure, so the
    /// next request tries again and a request with no copy sees the error).
    private func startReading() -> Task<[WorkerRecord], Error> {
        let client = self.client
        return Task { [weak self] in
            do {
                let fresh = try await client.workers()
                self?.state.withLock { state in
                    state.time = Clock.now()
                    state.generation += 1
                    state.workers = fresh
                    state.reading = nil
                }
                return fresh
            } catch {
                self?.state.withLock { $0.reading = nil }
                throw error
            }
        }
    }
}
