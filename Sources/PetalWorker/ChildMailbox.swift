import Dispatch
import Petal
import Synchronization

/// Messages from a running task to its child's main thread, which owns the Redis connection.
enum ChildMessage: Sendable {
    case progress(current: Double, total: Double, message: String?)
    case finished(Result<JSONValue, any Error>)
}

/// A queue the task side posts to and the main thread waits on, with a timeout.
final class ChildMailbox: Sendable {
    private let messages = Mutex<[ChildMessage]>([])
    private let signal = DispatchSemaphore(value: 0)

    func post(_ message: ChildMessage) {
        messages.withLock { $0.append(message) }
        signal.signal()
    }

    /// Waits until `deadline` (uptime seconds) for a message; nil on timeout. Main thread only.
    func next(until deadline: DispatchTime?) -> ChildMessage? {
        let arrived = deadline.map { signal.wait(timeout: $0) == .success } ?? { signal.wait(); return true }()
        guard arrived else { return nil }
        return messages.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
