import Foundation
import Petal
import PetalTestSupport
import Testing

/// Every page renders from what real workers wrote to Redis, checked by XPath.
@Suite("Monitor pages", .serialized)
struct MonitorPageTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func everyPageShowsWhatTheWorkersDid() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 2)
        defer { worker.stop() }
        let client = harness.client
        let done = try await client.enqueue(EnqueueRequest(task: "add", args: [2, 3]))
        let failed = try await client.enqueue(EnqueueRequest(task: "fail", args: ["boom"]))
        var childRequest = EnqueueRequest(task: "noop")
        childRequest.parent = done
        let child = try await client.enqueue(childRequest)
        for id in [done, failed, child] { try await Eventually.job(client, id) }
        try await harness.run { session in
            let dashboard = try await session.page("/")
            #expect(dashboard.count("//p[contains(@class,'flash')]") == 0, "no notice unless one was given")
            #expect(dashboard.count("//nav[@class='pager']/a") == 0, "one page: no previous or next")
            #expect(dashboard.text("//tr[@data-worker='\(worker.name)']/td[@data-field='status']") == "online")
            #expect(dashboard.text("//tr[@data-worker='\(worker.name)']/td[@data-field='concurrency']") == "2")
            #expect(dashboard.text("//*[@data-total='processed']") == "3")
            #expect(dashboard.text("//*[@data-total='failed']") == "1")
            #expect(dashboard.count("//svg[@class='chart']") == 2, "minute and day charts")
            #expect(dashboard.count("//svg[@class='chart']//*[local-name()='rect']") >= 2, "bars for this minute")
            #expect(dashboard.count("//nav//a[@href='/tasks']") == 1)
            let pastTheEnd = try await session.page("/?offset=50")
            #expect(pastTheEnd.count("//p[@id='no-workers']") == 0, "there are workers, on an earlier page")
            #expect(pastTheEnd.text("//nav[@class='pager']/span") == "none of 1")
            #expect(pastTheEnd.count("//nav[@class='pager']/a[@rel='prev']") == 1)

            let tasks = try await session.page("/tasks")
            #expect(tasks.count("//table[@id='tasks']/tbody/tr") == 3)
            #expect(tasks.text("//tr[@data-id='\(failed)']//span[contains(@class,'badge')]") == "FAILURE")
            let onlyFailures = try await session.page("/tasks?state=FAILURE")
            #expect(onlyFailures.texts("//table[@id='tasks']/tbody/tr/@data-id") == [failed])
            let byName = try await session.page("/tasks?taskname=add&search=args:2")
            #expect(byName.texts("//table[@id='tasks']/tbody/tr/@data-id") == [done])
            #expect(byName.texts("//input[@name='taskname']/@value") == ["add"], "the filter keeps what was asked")
            #expect(byName.texts("//datalist[@id='task-names']/option/@value") == ["add", "fail", "noop"])
            let sorted = try await session.page("/tasks?sort_by=name")
            #expect(sorted.texts("//table[@id='tasks']/tbody/tr/td[2]") == ["add", "fail", "noop"])
            #expect(tasks.count("//table[@id='tasks']/thead//th[a]") == 11, "every column but the tick boxes sorts")
            let byIDLink = try #require(tasks.text("//table[@id='tasks']/thead//th[a='UUID']/a/@href"))
            let byID = try await session.page(byIDLink)
            #expect(byID.texts("//table[@id='tasks']/tbody/tr/@data-id") == [done, failed, child].sorted(by: >))
            #expect(byID.text("//table[@id='tasks']/thead//th[a='UUID']/@aria-sort") == "descending")
            let byRuntime = try await session.page("/tasks?sort_by=runtime")
            #expect(byRuntime.count("//table[@id='tasks']/tbody/tr") == 3)
            #expect(byRuntime.count("//p[@id='truncated']") == 0)

            // A banner shows only what the monitor itself said (a sealed redirect), never a link's words.
            let forged = try await session.page("/tasks?notice=Session%20expired%2C%20log%20in%20at%20evil.example")
            #expect(forged.count("//p[contains(@class,'notice')]") == 0)
            let refused = try await session.submit("/tasks/revoke")
            let location = try #require(refused.header("Location"))
            let said = try await session.page(location)
            #expect(said.text("//p[contains(@class,'problem')]") == "Tick the tasks to revoke first.")
            let task = try await session.page("/task/\(done)")
            #expect(task.count("//pre[@id='exception']") == 0, "no exception section for a success")
            #expect(task.text("//span[@id='state']") == "SUCCESS")
            #expect(task.text("//pre[@id='result']") == "5")
            #expect(task.text("//pre[@id='args']") == "[2,3]")
            #expect(task.count("//ol[@id='timeline']/li") >= 3, "sent, started, succeeded")
            #expect(task.count("//ul[@id='children']/li/a[contains(@href,'\(child)')]") == 1)
            let failure = try await session.page("/task/\(failed)")
            #expect(failure.text("//pre[@id='exception']")?.contains("boom") == true)
            #expect(failure.count("//pre[@id='traceback']") == 1)

            let workerPage = try await session.page("/worker/\(worker.name)")
            #expect(workerPage.text("//dd[@id='pool-size']") == "2")
            #expect(workerPage.count("//table[@id='children']/tbody/tr") == 2, "one row per child pid")
            #expect(workerPage.texts("//section[@id='registered']//td[1]").contains("add"))
            #expect(workerPage.count("//form[contains(@action,'/grow')]") == 1)

            let queues = try await session.page("/queues")
            #expect(queues.text("//tr[@data-queue='default']/td[1]") == "default")
            #expect(queues.texts("//tr[@data-queue='default']/td[4]/a").contains(worker.name))

            let processes = try await session.page("/processes")
            #expect(processes.text("//p[@id='not-connected']")?.contains("not started by the Procfile runner") == true)
        }
    }

    @Test func unknownThingsAre404PagesAndBadParametersAre400() async throws {
        try await harness.run { session in
            for path in ["/task/nope", "/worker/nope", "/nowhere"] {
                let reply = try await session.http.get(path)
                #expect(reply.status == 404, "\(path)")
            }
            let missing = try HTMLDocument(try await session.http.get("/task/nope").body)
            #expect(missing.text("//p[@id='message']")?.contains("nope") == true)
            for (path, words) in [("/tasks?limit=-1", "limit"), ("/tasks?offset=abc", "offset"), ("/tasks?state=BOGUS", "state"),
                                  ("/tasks?sort_by=nonsense", "sort_by"), ("/tasks?received_start=yesterday", "received_start"),
                                  ("/tasks?search=state:nope", "search")] {
                let reply = try await session.http.get(path)
                #expect(reply.status == 400, "\(path)")
                #expect(try HTMLDocument(reply.body).text("//p[@id='message']")?.contains(words) == true, "\(path): \(reply.body.prefix(200))")
            }
        }
    }

    @Test func jobDataIsEscapedNeverRun() async throws {
        let id = try await harness.client.enqueue(EnqueueRequest(task: "<script>alert(1)</script>", args: ["<script>alert(2)</script>"]))
        try await harness.run { session in
            for path in ["/tasks", "/task/\(id)"] {
                let reply = try await session.http.get(path)
                #expect(reply.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
                let page = try HTMLDocument(reply.body)
                #expect(page.count("//script[not(@src)]") == 0, "no inline script in \(path)")
                #expect(page.texts("//text()").joined().contains("<script>alert(2)</script>"), "shown as text in \(path)")
            }
        }
    }
}
