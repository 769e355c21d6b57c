import Petal
import Synchronization

/// A value read from Redis at most about `freshFor` seconds ago, shared by every request: the
/// worker list (hundreds of hashes) and the dashboard's counters change every second or two, so
/// pages, the live stream, the API and /metrics arriving together share one read. When the copy is
/// stale, one background read replaces it while requests go on with the copy they have
/// (stale-while-revalidate, for at most `maxStale` seconds, so an outage still shows); only the
/// first request, or one asking `refresh`, waits for Redis. Nothing outlives the process.
final class RefreshingValue<Value: Sendable>: Sendable {
    private struct State {
        var time = 0.0
        var generation = 0
        var value: Value?
        var reading: Task<Void, Error>?
    }

    private enum Plan {
        case cached(Int, Value)
        case join(Task<Void, Error>)
    }

    private let read: @Sendable () async throws -> Value
    private let freshFor: Double
    private let maxStale: Double
    private let state = Mutex(State())

    init(freshFor: Double, maxStale: Double = 5, read: @escaping @Sendable () async throws -> Value) {
        self.freshFor = freshFor
        self.maxStale = maxStale
        self.read = read
    }

    func value(refresh: Bool = false) async throws -> Value {
        try await snapshot(refresh: refresh).value
    }

    /// The value with a number that changes whenever it was read again, for callers that keep
    /// something derived from it (the API's JSON text).
    func snapshot(refresh: Bool = false) async throws -> (generation: Int, value: Value) {
        let plan = state.withLock { state -> Plan in
            let age = Clock.now() - state.time
            if state.reading == nil, age >= freshFor || refresh || state.value == nil { state.reading = startReading() }
            if !refresh, age < maxStale, let value = state.value { return .cached(state.generation, value) }
            return .join(state.reading!)
        }
        switch plan {
        case .cached(let generation, let value): return (generation, value)
        case .join(let reading):
            try await reading.value
            return try state.withLock { state in
                guard let value = state.value else { throw CancellationError() }
                return (state.generation, value)
            }
        }
    }

    /// One read; stores it when done, or forgets the attempt on failure so the next request tries
    /// again (and a request with no usable copy sees the error).
    private func startReading() -> Task<Void, Error> {
        let read = self.read
        return Task { [weak self] in
            do {
                let fresh = try await read()
                self?.state.withLock { state in
                    state.time = Clock.now()
                    state.generation += 1
                    state.value = fresh
                    state.reading = nil
                }
            } catch {
                self?.state.withLock { $0.reading = nil }
                throw error
            }
        }
    }
}

/// The worker list, read at most every quarter second.
typealias WorkerCache = RefreshingValue<[WorkerRecord]>

extension RefreshingValue where Value == [WorkerRecord] {
    convenience init(client: PetalClient) {
        self.init(freshFor: 0.25) { try await client.workers() }
    }

    func workers(refresh: Bool = false) async throws -> [WorkerRecord] { try await value(refresh: refresh) }
}
