import Dispatch
import Synchronization

/// A first-in first-out queue of work shared by a few dedicated threads.
/// Producers never block; consumers sleep on a semaphore, not on Swift's cooperative pool.
final class WorkQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item?] = []
        var head = 0
        var closed = false
    }
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Adds an item; false when the queue is closed.
    @discardableResult
    func push(_ item: Item) -> Bool {
        let accepted = state.withLock { state -> Bool in
            if state.closed { return false }
            state.items.append(item)
            return true
        }
        if accepted { available.signal() }
        return accepted
    }

    /// Blocks the calling (dedicated) thread until an item arrives; nil once closed and drained.
    func pop() -> Item? {
        while true {
            available.wait()
            let next = state.withLock { state -> (Item?, Bool) in
                guard state.head < state.items.count else { return (nil, state.closed) }
                let item = state.items[state.head]
                state.items[state.head] = nil
                state.head += 1
                if state.head > 64 && state.head * 2 > state.items.count {
                    state.items.removeFirst(state.head)
                    state.head = 0
                }
                return (item, false)
            }
            if let item = next.0 { return item }
            if next.1 { available.signal(); return nil }  // wake the next consumer so it sees the close too
        }
    }

    /// Closes the queue: items already queued are still handed out, then consumers get nil.
    func close(consumers: Int) {
        state.withLock { $0.closed = true }
        for _ in 0..<max(consumers, 1) { available.signal() }
    }
}
