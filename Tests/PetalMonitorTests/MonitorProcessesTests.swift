import Foundation
import Petal
import PetalTestSupport
import Testing

/// The Processes page against a real `petal start` running real workers.
@Suite("Monitor processes page", .serialized)
struct MonitorProcessesTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func plusAndMinusScaleTheWorkersLive() async throws {
        let petal = try PetalBinary.path()
        let stack = try RunnerStack(procfile: """
            worker: exec \(petal) worker --redis \(harness.server.url) --concurrency 1 --heartbeat-interval 0.5 --shutdown-timeout 10
            """)
        defer { stack.process.signal(SIGTERM); _ = stack.process.wait(upTo: 20) }
        try await stack.waitForSocket()
        try await harness.run(runnerSocket: stack.socket) { session in
            let page = try await session.page("/processes")
            #expect(page.text("//tr[@data-type='worker']/td[contains(@class,'count')]") == "1")
            #expect(page.count("//table[@id='processes']/tbody/tr[@data-name='worker.1']") == 1)
            try await Eventually.wait("one worker online", timeout: 20) {
                try await session.page("/").text("//*[@data-total='online']") == "1"
            }
            let grown = try await session.submit("/processes/scale", ["type": "worker", "count": "3"])
            #expect(grown.status == 303)
            try await Eventually.wait("three workers online on the dashboard", timeout: 20) {
                try await session.page("/").text("//*[@data-total='online']") == "3"
            }
            // Back to one: the removed workers take a warm shutdown and go offline.
            _ = try await session.submit("/processes/scale", ["type": "worker", "count": "1"])
            try await Eventually.wait("one worker left", timeout: 30) {
                try await session.page("/").text("//*[@data-total='online']") == "1"
            }
            #expect(try await session.page("/processes").text("//tr[@data-type='worker']/td[contains(@class,'count')]") == "1")
            #expect(try await session.submit("/processes/scale", ["type": "worker", "count": "many"]).status == 400)
        }
    }
}
