import Foundation
import Synchronization
import Petal
import PetalRedis
import PetalTestSupport
import PetalWeb
import Testing

/// The monitor where users and attackers walk: default-named workers (`petal-<pid>@<host>`),
/// numbers out of range, foreign Hosts and Origins, real clients (curl, Python's requests) and
/// hand-broken HTTP. Every URL of a product page is taken from the page.
@Suite("Monitor at the edges", .serialized)
struct MonitorEdgeTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    /// The dashboard's link to a worker started without --name, as the page writes it.
    private func workerLink(_ session: MonitorSession) async throws -> String {
        var link: String?
        try await Eventually.wait("the worker on the dashboard") {
            link = try await session.page("/").texts("//a[starts-with(@href, '/worker/')]/@href").first
            return link != nil
        }
        return link!
    }

    @Test func aDefaultNamedWorkerIsReachableThroughEveryLinkAndForm() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        #expect(worker.name.contains("@"))
        try await harness.run { session in
            let link = try await workerLink(session)
            #expect(link.contains("%40"), "the page encodes '@'")
            let page = try await session.page(link)
            #expect(page.text("//h1")?.contains(worker.name) == true)
            let grow = try #require(page.texts("//form[contains(@action, '/grow')]/@action").first)
            let reply = try await session.submit(grow, ["n": "1"])
            #expect(reply.status == 303)
            #expect(FormBody.decode(reply.header("Location") ?? "", plusIsSpace: true).contains("\(worker.name):"))
            try await Eventually.wait("2 children") { try await harness.client.worker(worker.name)?.children.count == 2 }
            // The API's worker paths, as `requests` sends them ('@' as is) and as encoded.
            #expect(try await session.postJSON("/api/worker/pool/shrink/\(worker.name)").status == 200)
            let encoded = try await session.postJSON(link.replacingOccurrences(of: "/worker/", with: "/api/worker/pool/grow/"))
            #expect(encoded.status == 200, "\(encoded.text)")
        }
    }

    @Test func numbersOutOfRangeAre400sThatNameTheParameter() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session in
            let link = try await workerLink(session)
            let grow = link.replacingOccurrences(of: "/worker/", with: "/api/worker/pool/grow/")
            let pages: [(String, String)] = [
                ("/tasks?received_start=inf", "received_start"), ("/tasks?received_start=-1", "received_start"),
                ("/tasks?received_end=99999999999999999999", "received_end"), ("/tasks?received_start=nan", "received_start"),
                ("/tasks?offset=99999999999999999999", "offset"), ("/tasks?offset=9223372036854775807", "offset"),
                ("/tasks?limit=1e309", "limit"), ("/?offset=9223372036854775807", "offset"),
                ("/api/tasks?received_end=99999999999999999999", "received_end"), ("/api/tasks?received_start=1e19", "received_start"),
                ("/api/task/result/x?timeout=inf", "timeout"), ("/?sort=bogus", "sort"), ("/?order=sideways", "order"),
            ]
            for (path, parameter) in pages {
                let reply = try await session.http.get(path)
                #expect(reply.status == 400 || (path.hasPrefix("/api/task/result") && reply.status == 404), "\(path): \(reply.status)")
                if reply.status == 400 { #expect(reply.body.contains(parameter), "\(path): \(reply.body.prefix(200))") }
            }
            let bodies: [(String, String, String)] = [
                ("/api/task/send-task/add", #"{"args":[1,2],"countdown":1e19}"#, "countdown"),
                ("/api/task/send-task/add", #"{"args":[1,2],"expires":-5}"#, "expires"),
                ("/api/task/send-task/add", #"{"args":[1,2],"eta":"99999-01-01 00:00:00"}"#, "eta"),
                ("/api/task/send-task/add", #"{"args":[1,2],"max_retries":1e300}"#, "max_retries"),
                ("/api/task/send-task/add", #"{"args":[1,2],"time_limit":1e308}"#, "time_limit"),
                ("/api/task/send-task/add", #"{"args":[1e309]}"#, "out of range"),
                ("/api/task/send-task/add", #"{"args":[NaN]}"#, "not valid JSON"),
                ("/api/task/send-task/add", #"{"args":[Infinity]}"#, "not valid JSON"),
                ("/api/task/send-task/add", String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000), "too deeply nested"),
                (grow, #"{"n":1e309}"#, "out of range"),
                (grow, #"{"n":1e19}"#, "n must be a whole number"),
                (grow, #"{"n":-1}"#, "n must be a whole number"),
                (grow, #"{"n":257}"#, "n must be a whole number from 1 to 256"),
                ("/api/task/send-task/add", #"{"args":[1,2],"countdown":"0x10"}"#, "countdown"),
                ("/api/task/send-task/add", #"{"args":[1,2],"id":""}"#, "id must be"),
            ]
            for (path, body, message) in bodies {
                let reply = try await session.http.post(path, rawBody: body, contentType: "application/json")
                #expect(reply.status == 400, "\(path) \(body.prefix(60)): \(reply.status) \(reply.body.prefix(200))")
                #expect(reply.body.contains(message), "\(path) \(body.prefix(60)): \(reply.body.prefix(200))")
            }
            #expect(try await harness.client.worker(worker.name)?.concurrency == 1, "no refused call changed the pool size")
            #expect(try await session.http.get("/healthcheck").status == 200, "the monitor is still up")
        }
    }

    @Test func onlyAllowedHostsAreAnswered() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        let job = try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 2]))
        try await harness.run(allowedHosts: ["monitor.example", ".ops.example"]) { session in
            let link = try await workerLink(session)
            let shutdown = "http://127.0.0.1:\(session.port)" + link.replacingOccurrences(of: "/worker/", with: "/api/worker/shutdown/")
            // A page on a rebinding domain: its Host, its Origin, and a browser saying same-origin.
            let attack = try await RealClient.curl(["-X", "POST", "-H", "Host: rebind.evil.example:\(session.port)",
                                                    "-H", "Origin: http://rebind.evil.example:\(session.port)",
                                                    "-H", "Sec-Fetch-Site: same-origin", shutdown])
            #expect(attack.status == 421)
            let read = try await RealClient.curl(["-H", "Host: rebind.evil.example", "http://127.0.0.1:\(session.port)/api/tasks"])
            #expect(read.status == 421)
            #expect(!read.body.contains(job), "no data for a foreign Host")
            try await Task.sleep(for: .seconds(1))
            #expect(try await harness.client.worker(worker.name)?.online == true, "the worker was not shut down")
            for host in ["localhost:\(session.port)", "127.0.0.1:\(session.port)", "[::1]:\(session.port)", "monitor.example",
                         "a.ops.example:\(session.port)", "MONITOR.EXAMPLE:\(session.port)"] {
                let reply = try await RealClient.curl(["-H", "Host: \(host)", "http://127.0.0.1:\(session.port)/api/tasks"])
                #expect(reply.status == 200, "Host: \(host)")
            }
            #expect(try await RealClient.curl(["-H", "Host: ops.example.evil", "http://127.0.0.1:\(session.port)/"]).status == 421)
        }
    }

    @Test func formsNeedThisOriginAndASignedToken() async throws {
        try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 2], queue: "q1"))
        try await harness.run { session in
            let pause = try #require(try await session.page("/queues").texts("//form[contains(@action, '/pause')]/@action").first)
            // Another port on the same host is another origin (the greeter on 5554, say).
            let otherPort = HTTPTestClient(base: session.http.base, cookie: session.http.cookie,
                                           headers: ["Origin": "http://127.0.0.1:\(session.port == 5554 ? 5553 : 5554)"])
            #expect(try await otherPort.post(pause, form: ["csrf": session.csrf]).status == 403)
            let otherScheme = HTTPTestClient(base: session.http.base, cookie: session.http.cookie, headers: ["Origin": "https://127.0.0.1:\(session.port)"])
            #expect(try await otherScheme.post(pause, form: ["csrf": session.csrf]).status == 403)
            // A DELETE from elsewhere is refused as a POST is (the schedules' API).
            try await harness.client.saveSchedule(ScheduleDefinition(name: "keep", task: "noop", timing: .every(try ScheduleInterval(seconds: 60))), origin: "cli")
            #expect(try await otherPort.delete("/api/schedules/keep").status == 403)
            #expect(try await harness.client.schedule(named: "keep") != nil)
            // A cookie and field pair the attacker chose (cookie tossing) is not a token the monitor signed.
            for forged in [String(repeating: "a", count: 32), "abc.def", "x." + String(repeating: "0", count: 64)] {
                let attacker = HTTPTestClient(base: session.http.base, cookie: "petal_csrf=\(forged)")
                #expect(try await attacker.post(pause, form: ["csrf": forged]).status == 403, "\(forged)")
            }
            #expect(try await harness.client.queues().first { $0.name == "q1" }?.paused == false)
            let sameOrigin = HTTPTestClient(base: session.http.base, cookie: session.http.cookie, headers: ["Origin": "http://127.0.0.1:\(session.port)"])
            #expect(try await sameOrigin.post(pause, form: ["csrf": session.csrf]).status == 303)
            #expect(try await harness.client.queues().first { $0.name == "q1" }?.paused == true)
        }
        // A token signed by another monitor (another secret) is refused here.
        let tokens = TokenBox()
        try await harness.run(secret: "one") { session async throws in tokens.value = session.csrf }
        let foreignToken = tokens.value
        try await harness.run(secret: "two") { session async throws in
            let stale = HTTPTestClient(base: session.http.base, cookie: "petal_csrf=\(foreignToken)")
            #expect(try await stale.post("/queues/q1/resume", form: ["csrf": foreignToken]).status == 403)
        }
    }

    @Test func httpAsRealClientsAndBrokenClientsSpeakIt() async throws {
        try await harness.run(basicAuth: "ops:secret") { session in
            let base = "http://127.0.0.1:\(session.port)"
            let auth = ["-u", "ops:secret"]
            for path in ["/", "/tasks", "/queues", "/api/tasks", "/api/workers", "/metrics", "/healthcheck"] {
                let head = try await RealClient.curl(auth + ["-I", base + path])
                #expect(head.status == 200, "HEAD \(path)")
                #expect(head.body.isEmpty, "HEAD \(path) has no body")
            }
            let delete = try await RealClient.curl(auth + ["-X", "DELETE", base + "/tasks"])
            #expect(delete.status == 405)
            #expect(delete.headers["allow"]?.contains("GET") == true)
            #expect(try await RealClient.curl(auth + ["-X", "PUT", base + "/api/task/revoke/x"]).headers["allow"] == "POST")
            #expect(try await RealClient.curl(auth + [base + "/no/such/page"]).status == 404)
            // The scheme name is case-insensitive (RFC 9110).
            let lower = try await RealClient.curl(["-H", "Authorization: basic \(Data("ops:secret".utf8).base64EncodedString())", base + "/api/tasks"])
            #expect(lower.status == 200)
            // /metrics is for Prometheus: no CSRF cookie.
            #expect(try await RealClient.curl(auth + [base + "/metrics"]).headers["set-cookie"] == nil)
            let credentials = "Authorization: Basic \(Data("ops:secret".utf8).base64EncodedString())\r\n"
            let api = "POST /api/task/send-task/add HTTP/1.1\r\nHost: 127.0.0.1\r\n\(credentials)Content-Type: application/json\r\n"
            let brokenChunks = try await WireHTTP.raw(port: session.port, Array((api + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n").utf8))
            #expect(WireHTTP.status(of: brokenChunks) == 400, "\(brokenChunks.prefix(120))")
            let shortBody = try await WireHTTP.raw(port: session.port, Array((api + "Content-Length: 100\r\n\r\n{\"args\":[1,").utf8))
            #expect(WireHTTP.status(of: shortBody) == 400, "\(shortBody.prefix(120))")
            let gzip = try await WireHTTP.raw(port: session.port, Array((api + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").utf8))
            #expect(WireHTTP.status(of: gzip) == 501, "\(gzip.prefix(120))")
            let gzipOnly = try await WireHTTP.raw(port: session.port, Array((api + "Transfer-Encoding: gzip\r\n\r\n{}").utf8))
            #expect(WireHTTP.status(of: gzipOnly) == 501, "\(gzipOnly.prefix(120))")
            let huge = String(repeating: " ", count: 2_000_000)
            let large = try await WireHTTP.raw(port: session.port, Array((api + "Content-Length: \(huge.utf8.count + 2)\r\n\r\n{}" + huge).utf8))
            #expect(WireHTTP.status(of: large) == 413, "\(large.prefix(120))")
            #expect(!(brokenChunks + shortBody + gzip + large).contains("HTTP/1.1 500"))
            #expect(try await RealClient.curl(auth + [base + "/healthcheck"]).status == 200)
        }
    }

    @Test func aRedisRestartCostsNoRequest() async throws {
        try await harness.run { session in
            for path in ["/", "/tasks", "/api/tasks", "/queues"] { #expect(try await session.http.get(path).status == 200) }
            let restarted = try harness.server.restarted()
            for path in ["/api/tasks", "/tasks", "/queues", "/api/queues/length", "/task/nope"] {
                let reply = try await session.http.get(path)
                #expect(reply.status == (path == "/task/nope" ? 404 : 200), "\(path) after the restart: \(reply.status)")
            }
            withExtendedLifetime(restarted) {}
        }
    }

    @Test func aWrongRedisPasswordIs503SayingSo() async throws {
        let wrong = try RedisConfiguration(url: "redis://:not-the-password@127.0.0.1:\(harness.server.port)")
        try await harness.run(redis: wrong) { session in
            for path in ["/api/workers", "/tasks", "/"] {
                let reply = try await session.http.get(path)
                #expect(reply.status == 503, "\(path): \(reply.status)")
                #expect(reply.body.contains("credentials") && !reply.body.contains("not-the-password"), "\(reply.body.prefix(300))")
            }
        }
    }

    @Test func aRetriedEnqueueWithItsOwnIDCreatesOneJob() async throws {
        try await harness.run { session in
            let body: JSONValue = ["id": "order-42.charge", "args": [1, 2], "queue": "nobody-consumes"]
            let first = try await session.postJSON("/api/task/send-task/add", body)
            let again = try await session.postJSON("/api/task/send-task/add", body)
            #expect(first.value["task-id"] == "order-42.charge" && again.value["task-id"] == "order-42.charge")
            let celery = try await session.postJSON("/api/task/send-task/add", ["task_id": "order-42.charge", "args": [1, 2], "queue": "nobody-consumes"])
            #expect(celery.value["task-id"] == "order-42.charge", "Celery's task_id too")
            #expect(try await harness.server.redisClient().command("LLEN", harness.client.keys.queue("nobody-consumes")).int == 1, "queued once")
            #expect(try await session.json("/api/tasks?queue=nobody-consumes").value.objectValue?.count == 1)
            #expect(try await session.postJSON("/api/task/send-task/add", ["id": "bad id with spaces"]).status == 400)
            // Flower's clients also send args as JSON text in a form field.
            let form = try await session.http.post("/api/task/send-task/add", form: ["args": "[1,2]", "id": "form-sent", "queue": "nobody-consumes"])
            #expect(form.status == 200, "\(form.body)")
            #expect(try await harness.client.job("form-sent")?.argsJSON == "[1,2]")
        }
    }

    @Test func aFullRedisIs507WithRedisWords() async throws {
        try await harness.run { session in
            try await harness.server.redisClient().command("CONFIG", "SET", "maxmemory-policy", "noeviction")
            try await harness.server.redisClient().command("CONFIG", "SET", "maxmemory", "1")
            let full = try await session.postJSON("/api/task/send-task/add", ["args": [1, 2]])
            try await harness.server.redisClient().command("CONFIG", "SET", "maxmemory", "0")
            #expect(full.status == 507, "\(full.text)")
            #expect(full.value["error"]?.stringValue?.contains("OOM") == true)
            #expect(try await session.postJSON("/api/task/send-task/add", ["args": [1, 2]]).status == 200)
        }
    }

    @Test func queryStringsAreReadAsBrowsersAndRequestsWriteThem() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        let failed = try await harness.client.enqueue(EnqueueRequest(task: "fail", args: ["hello world"]))
        let greeted = try await harness.client.enqueue(EnqueueRequest(task: "hello", args: ["hello world"]))
        try await Eventually.job(harness.client, failed)
        try await Eventually.job(harness.client, greeted)
        try await harness.run { session in
            let script = """
            import json, sys, requests
            base = sys.argv[1]
            r = requests.get(base + '/api/tasks', params={'search': 'state:FAILURE name:fail'})
            print(json.dumps({'status': r.status_code, 'url': r.url, 'ids': list(r.json().keys()) if r.ok else r.text}))
            r = requests.get(base + '/api/tasks', params={'search': 'hello world'})
            print(json.dumps({'status': r.status_code, 'url': r.url, 'ids': list(r.json().keys()) if r.ok else r.text}))
            r = requests.get(base + '/tasks', params={'received_start': '2020-11-30 23:00'})
            print(json.dumps({'status': r.status_code, 'url': r.url, 'ids': []}))
            """
            let lines = try await RealClient.python(script, arguments: ["http://127.0.0.1:\(session.port)"])
                .split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            try #require(lines.count == 3)
            #expect(lines[0]["url"]?.stringValue?.contains("+") == true, "requests writes spaces as +")
            #expect(lines[0]["status"] == 200)
            #expect(lines[0]["ids"] == [.string(failed)])
            #expect(lines[1]["status"] == 200)
            #expect(Set(lines[1]["ids"]?.arrayValue ?? []) == [.string(failed), .string(greeted)])
            #expect(lines[2]["status"] == 200)
            // The search box as a browser submits it (a GET form: spaces become +).
            let form = try await session.page("/tasks")
            let action = try #require(form.texts("//form[.//input[@name='search']]/@action").first)
            let found = try await session.page(action + "?search=hello+world&state=FAILURE")
            #expect(found.count("//a[contains(@href, '/task/\(failed)')]") >= 1)
            #expect(found.count("//a[contains(@href, '/task/\(greeted)')]") == 0)
        }
    }
}

/// Carries a value out of a harness run.
private final class TokenBox: Sendable {
    private let stored = Mutex("")
    var value: String {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
