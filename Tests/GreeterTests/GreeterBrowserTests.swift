import Foundation
import Greeter
import Petal
import PetalTestSupport
import Testing

/// The greeter in headless Chromium: the pages' scripts run for real against a real worker.
@Suite("Greeter in Chromium", .serialized)
struct GreeterBrowserTests {
    let greeter: GreeterTests

    init() throws { greeter = try GreeterTests() }

    @Test func theFormLeadsThroughTheWaitPageToTheGreeting() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { _, port in
            try await Browser.session { browser in
            let base = "http://127.0.0.1:\(port)"
            try await browser.open(base + "/")
            try await browser.type("#person", "Chromium")
            // 40 steps of half a second: under a full test run each WebDriver call can take a second
            // or more, and a shorter job was over before the test first looked at the bar.
            try await browser.type("#total", "40")
            try await browser.click("form.greet button[type=submit]")

            try await Eventually.wait("the wait page") { try await browser.currentURL.contains("/wait/") }
            // The script polls /status and moves the bar: it must be seen part-way, neither empty nor full.
            var seen: [String] = []
            do {
                try await Eventually.wait("the bar advancing", timeout: 60, interval: 0.05) {
                    guard let value = try await browser.property("#bar", "value")?.doubleValue else { return false }
                    let state = try await browser.text("#status") ?? "?"
                    if seen.last != "\(value) \(state)" { seen.append("\(value) \(state)") }
                    return value > 0 && value < 100
                }
            } catch {
                // Say what the page went through, and what the job's record says.
                let id = String(try await browser.currentURL.split(separator: "/").last ?? "")
                let job = try await greeter.client.job(id)
                Issue.record("the bar never stood part-way; the page showed \(seen.suffix(20)); the job: \(job.map { "\($0.state) \($0.progress.map { "\($0.current)/\($0.total)" } ?? "-") worker \($0.worker ?? "-") queue \($0.queue)" } ?? "none")")
                throw error
            }
            try await Eventually.wait("the result page", timeout: 60) { try await browser.currentURL.contains("/result/") }
            #expect(try await browser.text("#greeting") == "Greetings, Chromium!")
            }
        }
    }

    /// The WebSocket path end to end: a fresh browser's first page is /jobs; a job started from
    /// another tab appears and finishes there without a reload, and a data-bind value is filled
    /// from a serverInfo call.
    @Test func aFreshBrowserOnJobsSeesAJobFromAnotherTabLiveOverTheSocket() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { _, port in
            try await Browser.session { browser in
            let base = "http://127.0.0.1:\(port)"
            try await browser.open(base + "/jobs")
            let jobsTab = try await browser.tab
            try await Eventually.wait("the socket") {
                try await browser.count("#live-status[data-connected='true'][data-transport='websocket']") == 1
            }
            #expect(try await browser.count("#jobs tbody tr") == 0)
            try await Eventually.wait("serverInfo bound") { try await browser.count("[data-bind='serverInfo.workers'][data-bound='true']") == 1 }
            #expect(try await browser.text("[data-bind='serverInfo.workers']") == "1")
            #expect(try await browser.property("#server-info", "hidden") == false)

            // Another tab, same browser (so the same visitor): the form starts a job.
            let formTab = try await browser.newTab()
            try await browser.switchTo(formTab)
            try await browser.open(base + "/")
            try await browser.type("#person", "Tabs")
            try await browser.type("#total", "3")
            try await browser.click("form.greet button[type=submit]")
            try await Eventually.wait("the wait page") { try await browser.currentURL.contains("/wait/") }
            let id = String(try await browser.currentURL.split(separator: "/").last ?? "")

            try await browser.switchTo(jobsTab)
            #expect(try await browser.currentURL == base + "/jobs", "never reloaded or left")
            let row = "#jobs tr[data-id='\(id)'] .state"
            try await Eventually.wait("the row appearing", timeout: 10) { try await browser.count(row) == 1 }
            try await Eventually.wait("the row reaching SUCCESS", timeout: 20) { try await browser.text(row) == "SUCCESS" }
            #expect(try await browser.property("#jobs tr[data-id='\(id)'] progress", "value")?.doubleValue == 100)
            // A call from the page, answered through the promise socket.js keeps per id.
            try await browser.run("""
                GreeterSocket.call("jobStatus", {id: "\(id)"}).then(function (job) {
                  document.body.setAttribute("data-called", job.state + " " + job.result);
                });
                GreeterSocket.call("jobStatus", {id: "someone-else's"}).catch(function (error) {
                  document.body.setAttribute("data-refused", error.code);
                });
                """)
            try await Eventually.wait("the call's answer") { try await browser.count("body[data-called='SUCCESS Greetings, Tabs!']") == 1 }
            try await Eventually.wait("the refusal") { try await browser.count("body[data-refused='not_found']") == 1 }
            }
        }
    }

    @Test func theJobListShowsANewJobAndItsEndWithoutReloading() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { http, port in
            try await Browser.session { browser in
            let base = "http://127.0.0.1:\(port)"
            try await browser.open(base + "/")  // sets the visitor cookie
            let cookie = try #require(try await browser.cookie("greeter_visitor"))
            try await browser.open(base + "/jobs")
            try await Eventually.wait("the live connection") { try await browser.count("#live-status[data-connected='true']") == 1 }
            #expect(try await browser.text("#live-status") == "Updates live.", "said once it is true")
            #expect(try await browser.count("#jobs tbody tr") == 0)

            // The same visitor starts a job from elsewhere; the open page must pick it up by itself.
            let visitor = HTTPTestClient(base: http.base, cookie: "greeter_visitor=\(cookie)")
            let location = try #require(try await visitor.post("/greet", form: ["person": "Live", "total": "3"]).header("Location"))
            let id = String(location.dropFirst("/wait/".count))
            let row = "#jobs tr[data-id='\(id)'] .state"
            try await Eventually.wait("the row appearing", timeout: 10) { try await browser.count(row) == 1 }
            try await Eventually.wait("the row reaching SUCCESS", timeout: 20) { try await browser.text(row) == "SUCCESS" }
            }
        }
    }
}
