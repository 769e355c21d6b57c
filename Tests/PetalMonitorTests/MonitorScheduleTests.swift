import Foundation
import Petal
import PetalTestSupport
import Testing

/// The Schedules page and its forms, and the schedules' JSON API, with a real worker running the
/// jobs. URLs come from the rendered page (its forms and links), never rebuilt by the test.
@Suite("Monitor schedules", .serialized)
struct MonitorScheduleTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    static let name = "r@port %+/ é 日"

    @Test func thePageShowsSchedulesAndItsFormsPauseResumeRunAndRemove() async throws {
        let client = harness.client
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
        defer { worker.stop() }
        try await client.saveSchedule(try ScheduleRequest(name: Self.name, task: "add", args: "[20,22]", cron: "30 2 * * *",
                                                          timeZone: "Europe/Berlin").definition(), origin: "cli")
        try await harness.run { session in
            let row = "//tr[@data-schedule='\(Self.name)']"
            var page = try await session.page("/schedules")
            #expect(page.text("\(row)/td[contains(@class,'when')]") == "30 2 * * *")
            #expect(page.text("\(row)/td[contains(@class,'zone')]") == "Europe/Berlin")
            #expect(page.text("\(row)/td[contains(@class,'last')]") == "never")
            #expect(page.text("\(row)/td[contains(@class,'next')]")?.hasPrefix("20") == true)
            #expect(page.count("//nav//a[contains(@class,'current') and text()='Schedules']") == 1)
            func action(_ page: HTMLDocument, _ word: String) throws -> String {
                try #require(page.elements("\(row)//form").compactMap { $0["action"] }.first { $0.hasSuffix("/" + word) })
            }

            // Run now: a job with the schedule and tick on it, linked from the row with its state.
            let ran = try await session.submit(try action(page, "run"))
            #expect(ran.status == 303)
            let lastJob = try #require(try await client.schedule(named: Self.name)?.lastJob)
            let done = try #require(try await client.wait(for: lastJob, timeout: 30))
            #expect(done.state == .success && done.result == 42)
            page = try await session.page("/schedules")
            #expect(page.text("\(row)//span[contains(@class,'last-state')]") == "SUCCESS")
            let link = try #require(page.elements("\(row)//a[contains(@class,'last-job')]").first?["href"])
            let task = try await session.page(link)
            #expect(task.text("//dl[@id='fields']/dt[text()='Schedule']/following-sibling::dd[1]") == Self.name)
            #expect(task.count("//dl[@id='fields']/dt[text()='Schedule tick']") == 1)
            let back = try #require(task.elements("//dl[@id='fields']/dt[text()='Schedule']/following-sibling::dd[1]/a").first?["href"])
            #expect(try await session.page(back).count(row) == 1)
            // The link lands on the schedule's own row: its fragment is that row's id.
            let fragment = try #require(back.split(separator: "#", maxSplits: 1).last.map(String.init))
            #expect(page.count("//tr[@id='\(fragment.removingPercentEncoding ?? fragment)' or @id='\(fragment)']") == 1, "\(back)")

            #expect(try await session.submit(try action(page, "pause")).status == 303)
            #expect(try await client.schedule(named: Self.name)?.paused == true)
            page = try await session.page("/schedules")
            #expect(page.text("\(row)//span[contains(@class,'paused')]") == "paused")
            #expect(try await session.submit(try action(page, "resume")).status == 303)
            #expect(try await client.schedule(named: Self.name)?.paused == false)
            page = try await session.page("/schedules")
            let remove = try action(page, "remove")
            #expect(try await session.http.post(remove, form: [:]).status == 403, "a form without its CSRF token is refused")
            #expect(try await session.submit(remove).status == 303)
            #expect(try await client.schedules().isEmpty)
            #expect(try await session.submit(remove).status == 404)
            #expect(try await session.page("/schedules").count("//p[contains(@class,'empty')]") == 1)
        }
    }

    @Test func theJSONAPICreatesListsPausesResumesRunsAndDeletes() async throws {
        let client = harness.client
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session in
            let created = try await session.postJSON("/api/schedules", ["name": .string(Self.name), "task": "add", "args": [1, 2],
                                                                        "every": "30s", "missed": "run_once"])
            #expect(created.status == 201, "\(created.text)")
            #expect(created.value["when"] == "every 30s" && created.value["missed"] == "run_once" && created.value["origin"] == "api")
            let replaced = try await session.postJSON("/api/schedules", ["name": .string(Self.name), "task": "add", "args": "[1,3]", "every": "1m"])
            #expect(replaced.status == 200 && replaced.value["args"] == [1, 3] && replaced.value["when"] == "every 1m")
            let listed = try await session.json("/api/schedules")
            #expect(listed.status == 200 && listed.value.arrayValue?.count == 1 && listed.value.arrayValue?.first?["name"] == .string(Self.name))

            let path = "/api/schedules/" + PageRendererEncoding.segment(Self.name)
            let paused = try await session.postJSON(path + "/pause")
            #expect(paused.status == 200 && paused.value["schedule"]?["paused"] == true, "\(paused.text)")
            #expect(try await session.postJSON(path + "/resume").value["schedule"]?["paused"] == false)
            let ran = try await session.postJSON(path + "/run")
            let id = try #require(ran.value["task-id"]?.stringValue)
            let done = try #require(try await client.wait(for: id, timeout: 30))
            #expect(done.result == 4 && done.schedule == Self.name)
            #expect(try await session.http.delete(path).status == 200)
            #expect(try await session.http.delete(path).status == 404)
            #expect(try await session.postJSON(path + "/pause").status == 404)

            for (body, words) in [(["name": "x", "task": "add"] as JSONValue, "either a cron expression or an interval"),
                                  (["name": "x", "task": "add", "cron": "*/0 * * * *"], "step 0"),
                                  (["name": "x", "task": "add", "every": "5s", "tz": "Europe/Berlin"], "time zone"),
                                  (["name": "x", "task": "add", "every": "5s", "args": "{"], "args"),
                                  (["task": "add", "every": "5s"], "name is required"),
                                  (["name": "x", "task": "add", "cron": "0 0 * * *", "tz": "Nowhere/Land"], "unknown time zone"),
                                  (["name": "x", "task": ["add"], "every": "5s"], "task must be text"),
                                  (["name": 5, "task": "add", "every": "5s"], "name must be text"),
                                  (["name": "x", "task": "add", "every": "5s", "paused": true], "unknown field 'paused'")] {
                let refused = try await session.postJSON("/api/schedules", body)
                #expect(refused.status == 400 && refused.text.contains(words), "\(body.jsonText): \(refused.status) \(refused.text)")
            }
            #expect(try await client.schedules().isEmpty)
        }
    }
}

/// Percent-encodes a path segment as a client would (RFC 3986 unreserved characters stay).
enum PageRendererEncoding {
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? text
    }
}
