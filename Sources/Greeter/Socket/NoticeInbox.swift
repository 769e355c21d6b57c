import Petal
import Synchronization

/// The job notices one socket has not written yet. It keeps the newest state of each job, in the
/// order the jobs first appeared: a socket that falls behind (a slow client, a burst of progress)
/// skips intermediate progress steps but never a job's end, and its memory is bounded by the
/// visitor's jobs, not by how far behind it is.
final class NoticeInbox: Sendable {
    private struct Pending {
        var order: [String] = []
        var latest: [String: JSONValue] = [:]
        var snapshotDue = false
    }

    private let pending = Mutex(Pending())
    private let signal: AsyncStream<Void>.Continuation
    /// Yields when there is something to take (several additions may share one wake-up).
    let wakeUps: AsyncStream<Void>

    init() {
        (wakeUps, signal) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// A job's new state (a job object, see `SocketJob`), replacing one not yet written.
    func add(_ job: JSONValue, id: String) {
        pending.withLock { pending in
            if pending.latest.updateValue(job, forKey: id) == nil { pending.order.append(id) }
        }
        signal.yield()
    }

    /// Redis came back: notices may have been missed, so the socket sends a snapshot first.
    func snapshotDue() {
        pending.withLock { $0.snapshotDue = true }
        signal.yield()
    }

    /// Everything pending, emptied.
    func take() -> (snapshot: Bool, jobs: [JSONValue]) {
        pending.withLock { pending in
            defer { pending = Pending() }
            return (pending.snapshotDue, pending.order.compactMap { pending.latest[$0] })
        }
    }

    func finish() { signal.finish() }
}
