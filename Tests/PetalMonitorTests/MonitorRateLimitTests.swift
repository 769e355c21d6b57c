import Foundation
import Petal
import PetalTestSupport
import Testing

/// Rate limits from the monitor: Flower's `POST /api/task/rate-limit/{name}` driven by curl as a
/// script would, the Queues page's table and fleet-wide form, and the worker page's form, with a
/// default-named worker and a task name full of characters URLs encode. Forms and links come from
/// the rendered pages.
@Suite("Monitor rate limits", .serialized)
struct MonitorRateLimitTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    static let task = "mail+send@eu %2F é"

    @Test func flowersEndpointAnswersAsFlowerDoes() async throws {
        let client = harness.client
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        // Known to the monitor as Flower knows tasks: seen on a job.
        _ = try await client.enqueue(EnqueueRequest(task: Self.task, queue: "nobody-consumes"))
        try await harness.run { session in
            let base = "http://127.0.0.1:\(session.port)"
            let path = base + "/api/task/rate-limit/" + PageRendererEncoding.segment(Self.task)
            func post(_ url: String, _ fields: [String]) async throws -> RealClient.Reply {
                try await RealClient.curl(["-X", "POST", url] + fields.flatMap { ["--data-urlencode", $0] })
            }
            let fleet = try await post(path, ["ratelimit=100/m"])
            let answer = try JSONValue(parsing: fleet.body)
            #expect(fleet.status == 200 && answer == ["message": "new rate limit set successfully"], "\(fleet.body)")
            #expect(try await client.rateLimits().first { $0.task == Self.task }?.fleet?.description == "100/m")

            let own = try await post(base + "/api/task/rate-limit/add", ["ratelimit=5/s", "workername=\(worker.name)"])
            #expect(own.status == 200 && own.body.contains("new rate limit set successfully"), "\(own.body)")
            try await Eventually.wait("the worker's heartbeat shows its limit") {
                try await client.worker(worker.name)?.rateLimits == ["add": "5/s"]
            }

            let unknownTask = try await post(base + "/api/task/rate-limit/no.such.task", ["ratelimit=1/s"])
            #expect(unknownTask.status == 404 && unknownTask.body.contains("Unknown task 'no.such.task'"), "\(unknownTask.body)")
            let unknownWorker = try await post(path, ["ratelimit=1/s", "workername=petal-1@nowhere"])
            #expect(unknownWorker.status == 404 && unknownWorker.body.contains("Unknown worker 'petal-1@nowhere'"), "\(unknownWorker.body)")
            for bad in ["fast", "1e3%2Fs", "inf%2Fs", "-1%2Fs", "10%2FS", "nan", "10%2Fs%00", "10+%2Fs", "%FF%2Fs"] {
                let refused = try await RealClient.curl(["-X", "POST", path, "--data", "ratelimit=\(bad)"])
                #expect(refused.status == 403 && refused.body.contains("Failed to set rate limit"), "\(bad): \(refused.status) \(refused.body)")
                #expect(!refused.body.unicodeScalars.contains("\u{0}"), "a NUL given is never echoed")
            }
            #expect(try await RealClient.curl(["-X", "POST", path]).status == 400, "ratelimit is required")
            let nul = try await session.http.get("/worker/petal%00x@vm")
            #expect(nul.status == 404 && !nul.body.unicodeScalars.contains("\u{0}") && nul.body.contains("petal\u{FFFD}x@vm"), "\(nul.body.prefix(400))")
            #expect(try await client.rateLimits().first { $0.task == Self.task }?.fleet?.description == "100/m", "refusals changed nothing")
            let removed = try await post(path, ["ratelimit="])
            #expect(removed.status == 200)
            #expect(try await client.rateLimits().first { $0.task == Self.task } == nil)
        }
    }

    @Test func theQueuesPageShowsLimitsAndWaitingJobsAndItsFormSetsThem() async throws {
        let client = harness.client
        try await client.setRateLimit(try RateLimit.parse("1/h"), for: Self.task)
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1, queues: ["mail"])
        defer { worker.stop() }
        let ids = try await client.enqueue(many: (0..<4).map { _ in EnqueueRequest(task: Self.task, queue: "mail") })
        try await Eventually.job(client, ids[0], timeout: 30)  // the first runs (and fails: no such task here)
        try await Eventually.wait("three waiting") { try await client.rateLimits().first { $0.task == Self.task }?.waiting == 3 }
        try await harness.run { session in
            var page = try await session.page("/queues")
            let row = "//table[@id='rate-limit-table']//tr[@data-task='\(Self.task)']"
            #expect(page.text("\(row)/td[contains(@class,'fleet')]") == "1/h")
            #expect(page.text("\(row)/td[contains(@class,'waiting')]") == "3")
            let tasks = try await session.page("/tasks")
            let waitingJob = try await session.page(try #require(tasks.elements("//a[contains(@href, '\(ids[1])')]").first?["href"]))
            #expect(waitingJob.text("//dl[@id='fields']/dt[text()='Rate limit slot']/following-sibling::dd[1]")?.hasPrefix("waits on its task's rate limit until") == true)

            let form = try #require(page.elements("//form[@id='rate-limit-form']").first?["action"])
            let refused = try await session.submit(form, ["task": Self.task, "rate": "lots"])
            #expect(refused.status == 400 && refused.body.contains("invalid rate limit"), "\(refused.body)")
            let set = try await session.submit(form, ["task": Self.task, "rate": "0"])
            #expect(set.status == 303)
            for id in ids[1...] { try await Eventually.job(client, id, timeout: 30) }
            page = try await session.page("/queues")
            #expect(page.count(row) == 0)
            #expect(try await session.submit(form, ["task": Self.task, "rate": "2/m"]).status == 303)
            page = try await session.page("/queues")
            #expect(page.text("\(row)/td[contains(@class,'fleet')]") == "2/m")
        }
    }

    @Test func theWorkerPageSetsThatWorkersOwnLimit() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session in
            let dashboard = try await session.page("/")
            let link = try #require(dashboard.elements("//a[text()='\(worker.name)']").first?["href"])
            var page = try await session.page(link)
            #expect(page.count("//section[@id='limits']//p[contains(@class,'empty')]") == 2)
            let form = try #require(page.elements("//form").compactMap { $0["action"] }.first { $0.hasSuffix("/rate-limit") })
            #expect(page.count("//form[substring(@action, string-length(@action) - 10)='/rate-limit']//option[text()='sleep']") == 1)
            let set = try await session.submit(form, ["task": "sleep", "rate": "30/m"])
            #expect(set.status == 303 && set.header("Location")?.contains("notice=") == true)
            try await Eventually.wait("the limit on the worker page") {
                try await session.page(link).text("//section[@id='limits']//tr[td='sleep']/td[2]") == "30/m"
            }
            page = try await session.page("/queues")
            #expect(page.text("//table[@id='rate-limit-table']//tr[@data-task='sleep']/td[4]") == "\(worker.name): 30/m")
            #expect(try await session.submit(form, ["task": "sleep", "rate": "30/d"]).status == 400)
        }
    }
}
