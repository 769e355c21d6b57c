import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Authentication, CSRF, Redis outages and the URL prefix.
@Suite("Monitor security and outages", .serialized)
struct MonitorSecurityTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func basicAuthGuardsEveryPageButTheHealthcheck() async throws {
        try await harness.run(basicAuth: "ops:s3cret") { session in
            // URLSession waits for credentials on a 401, so these go over a plain socket.
            for path in ["/", "/tasks", "/api/workers", "/metrics"] {
                let reply = try await WireHTTP.exchange(port: session.port, path: path)
                #expect(reply.status == 401, "\(path)")
                #expect(reply.headers.contains("WWW-Authenticate: Basic"))
            }
            let wrong = ["Authorization": "Basic " + Data("ops:nope".utf8).base64EncodedString()]
            #expect(try await WireHTTP.exchange(port: session.port, path: "/", headers: wrong).status == 401)
            #expect(try await WireHTTP.exchange(port: session.port, path: "/healthcheck").status == 200)
            #expect(try await session.http.get("/").status == 200)
        }
    }

    @Test func formsNeedTheirTokenAndCrossSiteCallsAreRefused() async throws {
        _ = try await harness.client.enqueue(EnqueueRequest(task: "noop", queue: "q1"))
        try await harness.run { session in
            let noToken = try await session.http.post("/queues/q1/pause", form: [:])
            #expect(noToken.status == 403)
            let wrongToken = try await session.http.post("/queues/q1/pause", form: ["csrf": String(repeating: "0", count: 32)])
            #expect(wrongToken.status == 403)
            #expect(try await harness.client.queues().first { $0.name == "q1" }?.paused == false, "nothing changed")
            #expect(try await session.submit("/queues/q1/pause").status == 303)
            let crossSite = HTTPTestClient(base: session.http.base, cookie: session.http.cookie, headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(try await crossSite.post("/api/worker/shutdown/any").status == 403)
            let get = try await session.http.get("/queues/q1/pause")
            #expect(get.status == 405, "GET never changes anything")
            #expect(get.header("Allow") == "POST")
        }
    }

    @Test func redisDownIs503AndTheMonitorRecovers() async throws {
        let server = try RedisServer(appendOnly: true)
        let harness = try MonitorHarness(server: server)
        let port = server.port
        try await harness.run { session in
            server.stop()
            let page = try await session.http.get("/")
            #expect(page.status == 503)
            #expect(try HTMLDocument(page.body).text("//p[@id='message']")?.contains("127.0.0.1:\(port) is unreachable") == true)
            let api = try await session.http.get("/api/workers")
            #expect(api.status == 503)
            #expect(try JSONValue(parsing: api.body)["error"]?.stringValue?.contains("unreachable") == true)
            let again = try server.restarted()
            defer { again.stop() }
            try await Eventually.wait("the monitor recovering", timeout: 20) { try await session.http.get("/").status == 200 }
        }
    }

    @Test func aURLPrefixMountsEveryPageAndAsset() async throws {
        try await harness.run(urlPrefix: "/monitor") { session in
            let page = try await session.page("/")
            #expect(page.count("//link[@href='/monitor/static/monitor.css']") == 1)
            #expect(page.count("//nav//a[@href='/monitor/tasks']") == 1)
            #expect(try await session.http.get("/static/monitor.css").status == 200)
            #expect(try await session.http.get("/api/task/types").status == 200)
        }
    }
}
