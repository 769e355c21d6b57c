import Petal
import Synchronization

/// Reads job records for all requests and sockets together (`/status`, `/result`, the socket's
/// `jobStatus`): while one read is on its way to Redis, the ids asked for meanwhile wait and go in
/// the next read, one pipeline of HGETALLs in one hop to a client thread. Each hop costs a thread
/// wake-up, which under load costs more than Redis does, so a hundred requests at once cost a few
/// hops, not a hundred. Alone, a read goes
/// at once: batching adds no wait.
final class JobRecordBatcher: Sendable {
    private typealias Waiter = (id: String, continuation: CheckedContinuation<Result<JobRecord?, PetalError>, Never>)

    private struct State {
        var waiting: [Waiter] = []
        var reading = false
    }

    private let client: PetalClient
    private let state = Mutex(State())
    /// Reads at most this many records in one pipeline.
    private let batchLimit = 256

    init(client: PetalClient) { self.client = client }

    func job(_ id: String) async throws(PetalError) -> JobRecord? {
        let result = await withCheckedContinuation { continuation in
            let startReading = state.withLock { state in
                state.waiting.append((id, continuation))
                if state.reading { return false }
                state.reading = true
                return true
            }
            if startReading { Task { await self.readWhileWaiting() } }
        }
        return try result.get()
    }

    /// Reads batches until nobody waits.
    private func readWhileWaiting() async {
        while true {
            let batch = state.withLock { state -> [Waiter] in
                let taken = Array(state.waiting.prefix(batchLimit))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.reading = false }
                return taken
            }
            if batch.isEmpty { return }
            do throws(PetalError) {
                let records = try await client.jobs(batch.map(\.id))
                for (waiter, record) in zip(batch, records) { waiter.continuation.resume(returning: .success(record)) }
            } catch {
                for waiter in batch { waiter.continuation.resume(returning: .failure(error)) }
            }
        }
    }
}
