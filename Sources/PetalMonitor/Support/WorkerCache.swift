import Petal
import Synchronization

/// The workers' records as read at most `freshFor` seconds ago. Heartbeats change every couple
/// of seconds, so pages, the live stream, the API and /metrics arriving together share one read
/// of the worker hashes instead of each reading hundreds; requests that find the copy stale while
/// a read is under way wait for that read rather than start their own. Nothing outlives the process.
final class WorkerCache: Sendable {
    private struct State {
        var time = 0.0
        var generation = 0
        var workers: [WorkerRecord] = []
        var reading: Task<[WorkerRecord], Error>?
    }

    private enum Plan {
        case cached(Int, [WorkerRecord])
        case join(Task<[WorkerRecord], Error>)
    }

    private let client: PetalClient
    private let freshFor: Double
    private let state = Mutex(State())

    init(client: PetalClient, freshFor: Double = 0.25) {
        self.client = client
        self.freshFor = freshFor
    }

    /// The cached list, or a fresh read when it is older than `freshFor` (or `refresh` is set).
    func workers(refresh: Bool = false) async throws -> [WorkerRecord] {
        try await snapshot(refresh: refresh).workers
    }

    /// The list with a number that changes whenever the list was read again, for callers that
    /// keep something derived from it (the API's JSON text).
    func snapshot(refresh: Bool = false) async throws -> (generation: Int, workers: [WorkerRecord]) {
        let client = self.client
        let plan = state.withLock { state -> Plan in
            if !refresh, state.reading == nil, Clock.now() - state.time < freshFor { return .cached(state.generation, state.workers) }
            if let reading = state.reading { return .join(reading) }
            let reading = Task { try await client.workers() }
            state.reading = reading
            return .join(reading)
        }
        let reading: Task<[WorkerRecord], Error>
        switch plan {
        case .cached(let generation, let workers): return (generation, workers)
        case .join(let task): reading = task
        }
        do {
            let fresh = try await reading.value
            return state.withLock { state in
                if state.reading != nil {
                    state.time = Clock.now()
                    state.generation += 1
                    state.workers = fresh
                    state.reading = nil
                }
                return (state.generation, state.workers)
            }
        } catch {
            state.withLock { $0.reading = nil }
            throw error
        }
    }
}
