import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Issue 10, defect 5: after Redis restarts, a client's pooled connections are stale; the next
/// calls must still succeed (the web apps answered 503 for a while).
@Suite("Client across a Redis restart")
struct RedisRestartTests {
    @Test func everyCallAfterARestartSucceeds() async throws {
        let server = try RedisServer()
        let client = server.petalClient(poolSize: 3)
        // Open every pooled connection: calls at once take different connections.
        async let a = client.enqueue(EnqueueRequest(task: "noop"))
        async let b = client.workers()
        async let c = client.totals()
        let first = try await a
        _ = try await (b, c)
        let restarted = try server.restarted()
        for round in 1...5 {
            async let enqueued = client.enqueue(EnqueueRequest(task: "noop"))
            async let record = client.job(first)
            async let workers = client.workers()
            let id = try await enqueued
            #expect(try await record == nil, "a restart without appendonly starts empty")
            #expect(try await workers.isEmpty)
            #expect(try await client.job(id)?.state == .pending)
            #expect(try await client.queuedCount() == round)
        }
        _ = restarted
    }
}
