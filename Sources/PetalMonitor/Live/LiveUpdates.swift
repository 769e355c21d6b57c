import Foundation
import Synchronization

/// Tells every open live page that something changed. Each subscriber's stream keeps at most one
/// pending signal, so a burst of events costs one refresh, and a slow client never piles up.
final class LiveUpdates: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    func subscribe() -> (id: UUID, changes: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        return (id, stream)
    }

    func unsubscribe(_ id: UUID) {
        let continuation = subscribers.withLock { $0.removeValue(forKey: id) }
        continuation?.finish()
    }

    func changed() {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.yield() }
        }
    }

    /// Wakes one subscriber only (its own periodic refresh).
    func nudge(_ id: UUID) {
        _ = subscribers.withLock { $0[id]?.yield() }
    }

    var count: Int { subscribers.withLock { $0.count } }
}
