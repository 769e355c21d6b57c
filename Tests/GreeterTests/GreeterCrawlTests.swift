import Foundation
import Petal
import PetalTestSupport
import Testing

/// Every link and form of the greeter, followed and submitted as a browser would, with a real
/// default-named `greeter worker`: no 404 for a link the greeter wrote, no 5xx.
@Suite("Greeter crawl", .serialized)
struct GreeterCrawlTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    @Test func everyLinkAndFormAnswers() async throws {
        let worker = try await WorkerProcess(redis: server, program: "greeter", name: nil, environment: ["GREETER_SOFT_TIME_LIMIT": "30"])
        defer { worker.stop() }
        try await GreeterHarness.run(client: client) { http, _ in
            let visitor = http.keepingCookie(from: try await http.get("/"))
            let crawler = SiteCrawler(http: visitor)
            try await crawler.crawl(from: ["/", "/jobs"])
            try await crawler.submitForms()
            // The jobs the forms started, and the pages their redirects lead to, once more.
            try await Task.sleep(for: .seconds(1))
            let again = SiteCrawler(http: visitor)
            try await again.crawl(from: ["/", "/jobs"])
            #expect(again.visits.contains { $0.url.hasPrefix("/wait/") || $0.url.hasPrefix("/result/") }, "\(again.summary)")
            #expect(crawler.forms.contains { $0.action == "/greet" })
            #expect(crawler.failures.isEmpty && again.failures.isEmpty,
                    "\((crawler.failures + again.failures).prefix(20).map(\.description).joined(separator: "\n"))")
        }
    }
}
