import Petal

extension PetalClient {
    /// `count` no-op jobs in batches of 1,000 (each one pipeline of ten calls), four in flight at
    /// once: how every section of the bench enqueues.
    func enqueueNoops(_ count: Int) async throws {
        let client = self
        try await withThrowingTaskGroup(of: Void.self) { group in
            var sent = 0
            var inFlight = 0
            while sent < count {
                let size = min(1000, count - sent)
                group.addTask { _ = try await client.enqueue(many: Array(repeating: EnqueueRequest(task: "noop"), count: size)) }
                sent += size
                inFlight += 1
                if inFlight >= 4 { try await group.next(); inFlight -= 1 }
            }
            try await group.waitForAll()
        }
    }
}
