import Synchronization

/// Calls started and not yet answered on one socket (child tasks leave, the reader enters).
final class CallCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Takes a slot; false when all `limit` are taken.
    func enter(limit: Int) -> Bool {
        if count.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        return false
    }

    func leave() { count.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
}
