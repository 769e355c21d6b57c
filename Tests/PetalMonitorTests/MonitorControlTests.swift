import Foundation
import Petal
import PetalTestSupport
import Testing

/// The monitor's buttons change Redis and the worker reacts.
@Suite("Monitor controls", .serialized)
struct MonitorControlTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func thePoolGrowsAndShrinksFromTheWorkerPage() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session in
            let grown = try await session.submit("/worker/\(worker.name)/grow", ["n": "2"])
            #expect(grown.status == 303)
            #expect(grown.header("Location")?.contains("notice=") == true)
            try await Eventually.wait("3 children") { try await harness.client.worker(worker.name)?.children.count == 3 }
            _ = try await session.submit("/worker/\(worker.name)/shrink", ["n": "1"])
            try await Eventually.wait("2 children") { try await harness.client.worker(worker.name)?.children.count == 2 }
            _ = try await session.submit("/worker/\(worker.name)/add-consumer", ["queue": "extra"])
            try await Eventually.wait("consuming extra") { try await harness.client.worker(worker.name)?.queues.contains("extra") == true }
            #expect(try await session.submit("/worker/\(worker.name)/grow", ["n": "zero"]).status == 400)
            #expect(try await session.submit("/worker/nobody/grow", ["n": "1"]).status == 404)
            _ = try await session.submit("/worker/\(worker.name)/shutdown")
            #expect(worker.waitForExit(timeout: 20) != nil, "warm shutdown")
        }
    }

    @Test func aRunningJobIsTerminatedAndShowsRevoked() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
        defer { worker.stop() }
        let id = try await harness.client.enqueue(EnqueueRequest(task: "sleep", args: [30]))
        try await Eventually.job(harness.client, id, state: .started)
        try await harness.run { session in
            let reply = try await session.submit("/task/\(id)/terminate")
            #expect(reply.status == 303)
            let record = try await Eventually.job(harness.client, id, timeout: 15)
            #expect(record.state == .revoked)
            #expect(try await session.page("/task/\(id)").text("//span[@id='state']") == "REVOKED")
            // Retry enqueues a copy with the same task and arguments.
            let retried = try await session.submit("/task/\(id)/retry")
            let location = try #require(retried.header("Location"))
            let copy = String(location.split(separator: "/task/").last!.split(separator: "?").first!)
            #expect(copy != id)
            #expect(try await harness.client.job(copy)?.argsJSON == "[30]")
        }
    }

    @Test func queuesPauseResumePurgeAndBulkRevoke() async throws {
        let client = harness.client
        let ids = try await client.enqueue(many: (0..<4).map { _ in EnqueueRequest(task: "noop", queue: "slow") })
        try await harness.run { session in
            _ = try await session.submit("/queues/slow/pause")
            #expect(try await client.queues().first { $0.name == "slow" }?.paused == true)
            let page = try await session.page("/queues")
            #expect(page.text("//tr[@data-queue='slow']//span[contains(@class,'badge')]") == "paused")
            #expect(page.text("//tr[@data-queue='slow']/td[contains(@class,'length')]") == "4")
            _ = try await session.submit("/queues/slow/resume")
            #expect(try await client.queues().first { $0.name == "slow" }?.paused == false)

            // Bulk revoke two of them from the task list.
            let revoked = try await session.http.post("/tasks/revoke", rawBody: "csrf=\(session.csrf)&id=\(ids[0])&id=\(ids[1])&return_to=/tasks",
                                                       contentType: "application/x-www-form-urlencoded")
            #expect(revoked.status == 303)
            #expect(try await client.job(ids[0])?.state == .revoked)
            #expect(try await client.job(ids[1])?.state == .revoked)

            // Purge asks first (a page with a form), then empties the queue.
            let confirm = try await session.page("/queues/slow/purge")
            #expect(confirm.count("//form[contains(@action,'/queues/slow/purge')]") == 1)
            let purged = try await session.submit("/queues/slow/purge")
            #expect(purged.status == 303, "\(purged.body.prefix(300))")
            #expect(try await client.queues().first { $0.name == "slow" }?.length == 0)
            #expect(try await client.job(ids[3])?.state == .revoked)
            #expect(try await client.job(ids[3])?.exception?.hasPrefix("Purged") == true)
        }
    }
}
