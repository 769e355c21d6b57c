import Foundation
import Petal
import PetalTestSupport
import Testing

/// The live dashboard in headless Chromium: a worker coming online and a count changing appear
/// without a reload.
@Suite("Monitor in Chromium", .serialized)
struct MonitorBrowserTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func theDashboardUpdatesItselfWithoutAReload() async throws {
        try await harness.run { session in
            try await Browser.session { browser in
                try await browser.open("http://127.0.0.1:\(session.port)/")
                try await Eventually.wait("the live stream connected") { try await browser.count("#live-state[data-state='on']") == 1 }
                #expect(try await browser.count("#workers tbody tr") == 0)
                // Marks the page: a reload would lose the mark.
                try await browser.run("document.body.setAttribute('data-marked', 'yes')")

                let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
                defer { worker.stop() }
                let row = "#workers tr[data-worker='\(worker.name)']"
                try await Eventually.wait("the worker's row", timeout: 15) { try await browser.count(row) == 1 }
                try await Eventually.wait("online", timeout: 15) { try await browser.text(row + " td[data-field='status']") == "online" }

                let id = try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 2]))
                try await Eventually.job(harness.client, id)
                try await Eventually.wait("the processed count", timeout: 15) {
                    try await browser.text(row + " td[data-field='processed']") == "1"
                }
                // The cards' counters are shared reads at most a second old: they follow shortly.
                try await Eventually.wait("the processed card", timeout: 10) {
                    try await browser.text("[data-total='processed']") == "1"
                }
                #expect(try await browser.count("body[data-marked='yes']") == 1, "the page was never reloaded")

                // The pause switch stops the updates.
                try await browser.click("#live-toggle")
                #expect(try await browser.count("#live-state[data-state='paused']") == 1)
            }
        }
    }
}
