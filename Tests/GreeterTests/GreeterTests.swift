import Foundation
import Greeter
import Hummingbird
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// The greeter's web app in-process on a free port, a real `greeter worker`, a real redis-server,
/// real HTTP; pages parsed with libxml2 and checked by XPath.
@Suite("Greeter", .serialized)
struct GreeterTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    /// Runs the app until `body` returns.
    func withApp(_ body: (HTTPTestClient) async throws -> Void) async throws {
        try await withApp { http, _ in try await body(http) }
    }

    func withApp(_ body: (HTTPTestClient, Int) async throws -> Void) async throws {
        try await GreeterHarness.run(client: client, body)
    }

    func worker(softTimeLimit: Double = 60) async throws -> WorkerProcess {
        try await WorkerProcess(redis: server, program: "greeter", environment: ["GREETER_SOFT_TIME_LIMIT": String(softTimeLimit)])
    }

    @Test(arguments: [
        (["person": "", "total": "3"], "person-error", "Please enter a name."),
        (["person": "   ", "total": "3"], "person-error", "Please enter a name."),
        (["person": String(repeating: "a", count: 101), "total": "3"], "person-error", "at most 100 characters"),
        // One grapheme cluster of 1,001 scalars (7 KB as a form): one "character", far too long.
        (["person": "a" + String(repeating: "\u{301}", count: 1000), "total": "3"], "person-error", "at most 100 characters"),
        (["person": "Ann", "total": "0"], "total-error", "from 1 to 100"),
        (["person": "Ann", "total": "101"], "total-error", "from 1 to 100"),
        (["person": "Ann", "total": "ten"], "total-error", "whole number"),
        (["person": "Ann"], "total-error", "whole number"),
    ])
    func badInputIsRefusedWithAMessageAndKept(form: [String: String], field: String, message: String) async throws {
        try await withApp { http in
            let reply = try await http.post("/greet", form: form)
            #expect(reply.status == 400)
            let page = try HTMLDocument(reply.body)
            #expect(page.text("//p[@id='\(field)']")?.contains(message) == true, "\(reply.body)")
            #expect(page.texts("//input[@id='person']/@value").first == (form["person"] ?? ""), "what was typed is kept")
        }
        #expect(try await server.redisClient().command("DBSIZE").int == 0, "nothing was enqueued")
    }

    /// `petal worker` (the demo tasks only) beside the greeter takes none of its jobs: they go to
    /// the `greeter` queue, which only `greeter worker` consumes by default. (Both once shared
    /// `default`, and a greeting taken by `petal worker` ended FAILURE, NotRegistered.)
    @Test func aPetalWorkerBesideTheGreeterLeavesItsJobsAlone() async throws {
        let demo = try await WorkerProcess(redis: server, program: "petal", name: nil, concurrency: 2)
        defer { demo.stop() }
        try await withApp { http in
            var ids: [String] = []
            for person in ["Ann", "Bo", "Cy", "Di"] {
                let posted = try await http.post("/greet", form: ["person": person, "total": "1"])
                ids.append(String(try #require(posted.header("Location")).dropFirst("/wait/".count)))
            }
            let sum = try await client.enqueue(EnqueueRequest(task: "add", args: [2, 3]))
            #expect(try await Eventually.job(client, sum).result == 5, "the demo worker works")
            for id in ids {
                let job = try #require(try await client.job(id))
                #expect(job.state == .pending && job.queue == "greeter", "\(job.state) \(job.exception ?? "")")
            }
            let greeter = try await worker()
            defer { greeter.stop() }
            for id in ids { #expect(try await Eventually.job(client, id).state == .success) }
        }
    }

    @Test func theWholeFlowFromFormToGreeting() async throws {
        let worker = try await worker()
        defer { worker.stop() }
        try await withApp { http in
            let posted = try await http.post("/greet", form: ["person": "Ann <script>alert(1)</script>", "total": "6"])  // 3 s: long enough to find the wait page, whatever the load
            #expect(posted.status == 303)
            let location = try #require(posted.header("Location"))
            #expect(location.hasPrefix("/wait/"))
            let id = String(location.dropFirst(6))
            let visitor = http.keepingCookie(from: posted)
            #expect(visitor.cookie?.hasPrefix("greeter_visitor=") == true)

            let wait = try HTMLDocument(try await visitor.get(location).body)
            #expect(wait.count("//progress[@id='bar']") == 1)
            #expect(wait.count("//script[@src='/wait.js']") == 1)

            var states: [String] = []
            try await Eventually.wait("SUCCESS", timeout: 20) {
                let status = try JSONValue(parsing: try await visitor.get("/status/\(id)").body)
                states.append(status["state"]?.stringValue ?? "")
                #expect(status["id"]?.stringValue == id)
                #expect(status["traceback"] == nil)
                return status["state"] == "SUCCESS" && status["result"] == "Greetings, Ann <script>alert(1)</script>!"
            }
            let result = try await visitor.get("/result/\(id)")
            let page = try HTMLDocument(result.body)
            #expect(page.text("//h1[@id='greeting']") == "Greetings, Ann <script>alert(1)</script>!")
            #expect(page.count("//script[not(@src)]") == 0, "the name is shown, never run")
            #expect(page.text("//span[@id='elapsed']")?.hasSuffix("s") == true)
            // The wait page of a finished job moves on to the result.
            #expect(try await visitor.get(location).header("Location") == "/result/\(id)")
            // The visitor's job is in their list on the form page.
            let index = try HTMLDocument(try await visitor.get("/").body)
            #expect(index.count("//table[@id='jobs']//tr[@data-id='\(id)']") == 1)
            #expect(try HTMLDocument(try await http.get("/").body).count("//tr[@data-id='\(id)']") == 0, "not in a stranger's list")
        }
    }

    @Test func theSoftTimeLimitFallsBackGracefully() async throws {
        let worker = try await worker(softTimeLimit: 1)
        defer { worker.stop() }
        try await withApp { http in
            let location = try #require(try await http.post("/greet", form: ["person": "Bo", "total": "20"]).header("Location"))
            let id = String(location.dropFirst(6))
            let job = try await Eventually.job(client, id, timeout: 20)
            #expect(job.result == "Greetings, fallback!")
            #expect(try HTMLDocument(try await http.get("/result/\(id)").body).text("//h1[@id='greeting']") == "Greetings, fallback!")
        }
    }

    @Test func failedAndRevokedJobsShowAFriendlyPage() async throws {
        let worker = try await worker()
        defer { worker.stop() }
        try await withApp { http in
            let failing = try await client.enqueue(EnqueueRequest(task: "fail", args: ["the printer is on fire"]))
            _ = try await Eventually.job(client, failing)
            let failedPage = try HTMLDocument(try await http.get("/result/\(failing)").body)
            #expect(failedPage.text("//p[@id='error']") == "The job failed: the printer is on fire")
            let status = try JSONValue(parsing: try await http.get("/status/\(failing)").body)
            #expect(status["state"] == "FAILURE")
            #expect(status.jsonText.contains("Traceback") == false)

            let later = try await client.enqueue(EnqueueRequest(task: "noop", countdown: 3600))
            try await client.revoke(later)
            let revokedPage = try HTMLDocument(try await http.get("/result/\(later)").body)
            #expect(revokedPage.text("//p[@id='error']") == "This job was cancelled.")
        }
    }

    @Test func unknownIdsAndPathsAre404Pages() async throws {
        try await withApp { http in
            for path in ["/wait/nope", "/result/nope", "/no/such/page"] {
                let reply = try await http.get(path)
                #expect(reply.status == 404)
                #expect(try HTMLDocument(reply.body).count("//section[@id='problem']") == 1, "\(path)")
            }
            let status = try await http.get("/status/nope")
            #expect(status.status == 404)
            #expect(try JSONValue(parsing: status.body)["error"] != nil)
            #expect(try await http.post("/demo/nope").status == 404)
        }
    }

    @Test func theJobListIsTheVisitorsOwnAndUpdatesLive() async throws {
        let worker = try await worker()
        defer { worker.stop() }
        try await withApp { http, port in
            // A first-time visitor opens /jobs before anything else: an empty list and a cookie,
            // and jobs started under that cookie (another tab) arrive on the page's stream.
            let first = try await http.get("/jobs")
            #expect(first.status == 200)
            #expect(try HTMLDocument(first.body).count("//p[@id='empty']") == 1)
            // Without JavaScript nothing updates the page, so nothing says it does.
            #expect(!first.body.contains("Updates live"))
            #expect(try HTMLDocument(first.body).count("//p[@id='live-status'][@hidden]") == 1)
            #expect(first.header("Set-Cookie")?.hasPrefix("greeter_visitor=") == true)
            let visitor = http.keepingCookie(from: first)
            let stream = try EventStreamReader(port: port, path: "/jobs/events", cookie: visitor.cookie)
            try await Eventually.wait("the snapshot") { stream.received().contains("event: snapshot") }
            #expect(stream.received().contains("text/event-stream"))

            let location = try #require(try await visitor.post("/greet", form: ["person": "Live", "total": "2"]).header("Location"))
            let id = String(location.dropFirst(6))
            try await Eventually.wait("the job's notices", timeout: 20) {
                let text = stream.received()
                return text.contains("\"id\":\"\(id)\"") && text.contains("\"state\":\"SUCCESS\"")
            }
            #expect(stream.received().contains("\"state\":\"PROGRESS\""))

            let mine = try HTMLDocument(try await visitor.get("/jobs").body)
            #expect(mine.count("//table[@id='jobs']//tr[@data-id='\(id)']") == 1)
            #expect(mine.count("//script[@src='/jobs.js']") == 1)
            let stranger = http.keepingCookie(from: try await http.get("/"))
            #expect(try HTMLDocument(try await stranger.get("/jobs").body).count("//tr[@data-id='\(id)']") == 0)
        }
    }

    @Test func aTamperedCookieGetsANewVisitor() async throws {
        try await withApp { http in
            let first = try await http.get("/")
            let visitor = http.keepingCookie(from: first)
            #expect(try await visitor.get("/").header("Set-Cookie") == nil, "a valid cookie is kept")
            let forged = HTTPTestClient(base: http.base, cookie: (visitor.cookie ?? "") + "0")
            #expect(try await forged.get("/").header("Set-Cookie") != nil, "a forged one is replaced")
        }
    }
}
