import Foundation
import Petal
import PetalTestSupport
import Testing

/// Every link the monitor renders and every form it offers, followed and submitted as a browser
/// would, over a history with default-named workers, an unusual queue name and jobs in every
/// state: no 404 for a link the product wrote, no 5xx, ever.
@Suite("Monitor crawl", .serialized)
struct MonitorCrawlTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func everyLinkAndFormAnswers() async throws {
        let queue = "video.hi-res_2"
        let first = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 2, queues: ["default", queue])
        let second = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1, queues: [queue])
        defer {
            first.stop()
            second.stop()
        }
        let client = harness.client
        let succeeded = try await client.enqueue(EnqueueRequest(task: "hello", args: ["Ünïcødé <script>alert(1)</script> + %41 @"], queue: queue))
        let failed = try await client.enqueue(EnqueueRequest(task: "fail", args: ["boom & bust"]))
        try await client.enqueue(EnqueueRequest(task: "add", args: [1, 2], parent: succeeded))
        try await client.enqueue(EnqueueRequest(task: "fail", args: ["again"], countdown: 0, maxRetries: 3))
        try await client.enqueue(EnqueueRequest(task: "add", args: [2, 2], countdown: 3600))  // scheduled
        // One queue, progress first: a child that prefetches both runs them in queue order, and
        // progress waiting in a child behind the sleep would never reach PROGRESS.
        let progressing = try await client.enqueue(EnqueueRequest(task: "progress", args: [1000, 0.05], queue: queue))
        let running = try await client.enqueue(EnqueueRequest(task: "sleep", args: [60], queue: queue))
        try await client.enqueue(EnqueueRequest(task: "noop", queue: "nobody's queue".replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " ", with: "-")))
        let revoked = try await client.enqueue(EnqueueRequest(task: "noop", queue: "held"))
        try await client.revoke(revoked)
        for id in [succeeded, failed] { try await Eventually.job(client, id) }
        try await Eventually.job(client, running, state: .started)
        try await Eventually.job(client, progressing, state: .progress)

        try await harness.run { session in
            let crawler = SiteCrawler(http: session.http)
            try await crawler.crawl(from: ["/"], limit: 400)
            let pages = Set(crawler.visits.map { $0.url.split(separator: "?").first.map(String.init) ?? $0.url })
            // The walk reached each kind of page through links alone.
            for kind in ["/worker/", "/task/", "/tasks", "/queues", "/processes", "/static/monitor.css"] {
                #expect(pages.contains { $0.hasPrefix(kind) || $0.contains(kind) }, "no link led to \(kind)")
            }
            #expect(pages.contains { $0.contains("%40") }, "default-named workers' pages were reached")
            try await crawler.submitForms(last: { $0.action.hasSuffix("/shutdown") || $0.action.hasSuffix("/purge") })
            #expect(crawler.forms.contains { $0.method == "post" }, "forms were found")
            #expect(crawler.failures.isEmpty, "\(crawler.failures.prefix(20).map(\.description).joined(separator: "\n"))")
            #expect(crawler.visits.count > 50, "\(crawler.summary)")
            print("monitor crawl: \(crawler.summary)")
        }
    }
}
