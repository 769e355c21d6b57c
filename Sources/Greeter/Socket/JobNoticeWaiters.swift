import Foundation
import Synchronization

/// Calls waiting for news of one job (`waitForJob`): the hub wakes them when a notice about that
/// job passes through it, so a waiting call costs nothing until then — no polling, and no
/// subscription (thread and Redis connection) of its own.
final class JobNoticeWaiters: Sendable {
    private let waiting = Mutex<[String: [UInt64: CheckedContinuation<Void, Never>]]>([:])
    private let nextToken = Atomic<UInt64>(0)

    /// Returns when a notice about `id` arrives, after `seconds` at most, or when the task is
    /// cancelled (the socket closed), whichever comes first.
    func nextNotice(about id: String, within seconds: Double) async {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiting.withLock { $0[id, default: [:]][token] = continuation }
                if Task.isCancelled { resume(id, token) }
                Task { [weak self] in
                    try? await Task.sleep(for: .seconds(max(0, seconds)))
                    self?.resume(id, token)
                }
            }
        } onCancel: {
            resume(id, token)
        }
    }

    /// Wakes every call waiting for `id`.
    func wake(_ id: String) {
        guard let woken = waiting.withLock({ $0.removeValue(forKey: id) }) else { return }
        for continuation in woken.values { continuation.resume() }
    }

    /// Wakes every waiting call (the subscription was re-established: notices may have been lost).
    func wakeAll() {
        let woken = waiting.withLock { table in defer { table.removeAll() }; return table.values.flatMap(\.values) }
        for continuation in woken { continuation.resume() }
    }

    private func resume(_ id: String, _ token: UInt64) {
        let continuation = waiting.withLock { table -> CheckedContinuation<Void, Never>? in
            let found = table[id]?.removeValue(forKey: token)
            if table[id]?.isEmpty == true { table[id] = nil }
            return found
        }
        continuation?.resume()
    }
}
