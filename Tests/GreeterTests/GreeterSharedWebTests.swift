import Foundation
import Greeter
import Petal
import PetalRedis
import PetalTestSupport
import PetalWeb
import Testing

/// What the greeter takes from PetalWeb, seen from outside: errors as JSON on /status and
/// /healthz and as pages elsewhere (the right 4xx for hostile paths and bodies, a 503 with
/// Retry-After that says nothing of the servers when Redis is away, except to operators on /healthz), the security headers on every answer, and the
/// signed visitor cookie as real clients keep it and as a tamperer changes it.
@Suite("Greeter: shared web middleware and cookies", .serialized)
struct GreeterSharedWebTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    /// An error answer as `ErrorAnswer` wants it, a page with the greeter's problem section, and no server named.
    static func expectAnswer(_ reply: RealClient.Reply, json: Bool, _ what: String) {
        #expect(ErrorAnswer.problems(reply, json: json, mustNotShow: ["redis://", "127.0.0.1:"]) == [], "\(what)")
        if !json { #expect((try? HTMLDocument(reply.body))?.count("//section[@id='problem']") == 1, "\(what)") }
    }

    @Test func hostilePathsAndBodiesGetTheRight4xxAsJSONOrPage() async throws {
        try await GreeterHarness.run(client: client) { _, port in
            let base = "http://127.0.0.1:\(port)"
            let gets: [(path: String, statuses: Set<Int>, json: Bool)] = [
                ("/no/such/page", [404], false), ("/wait/nope", [404], false), ("/result/nope", [404], false),
                ("/status/nope", [404], true), ("/status/%00%ff", [400, 404], true), ("/wait/%3Cscript%3E", [400, 404], false),
                ("/status/" + String(repeating: "x", count: 3000), [400, 404], true),
            ]
            for (path, statuses, json) in gets {
                let reply = try await RealClient.curl(["--path-as-is", base + path])
                #expect(statuses.contains(reply.status), "GET \(path): \(reply.status) \(reply.body.prefix(120))")
                Self.expectAnswer(reply, json: json, "GET \(path)")
                #expect(!reply.body.contains("<script>"))
            }
            let posts: [(path: String, arguments: [String], status: Int)] = [
                ("/greet", ["--data-binary", "person=" + String(repeating: "a", count: 20_000) + "&total=3"], 413),
                ("/greet", ["-H", "Content-Encoding: gzip", "--data-binary", "person=Ann&total=3"], 415),
                ("/greet", ["-H", "Origin: http://evil.example", "--data-binary", "person=Ann&total=3"], 403),
                ("/demo/nope", ["--data-binary", ""], 404),
            ]
            for (path, arguments, status) in posts {
                let reply = try await RealClient.curl(arguments + [base + path])
                #expect(reply.status == status, "POST \(path) \(arguments.prefix(2)): \(reply.status) \(reply.body.prefix(120))")
                Self.expectAnswer(reply, json: false, "POST \(path)")
            }
            let request = "POST /greet HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            let gzip = try await WireHTTP.raw(port: port, Array((request + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nperso\r\n0\r\n\r\n").utf8))
            #expect(WireHTTP.status(of: gzip) == 501, "\(gzip.prefix(120))")
            let short = try await WireHTTP.raw(port: port, Array((request + "Content-Length: 80\r\n\r\nperson=Ann").utf8))
            #expect(WireHTTP.status(of: short) == 400, "\(short.prefix(120))")
        }
        #expect(try await server.redisClient().command("DBSIZE").int == 0, "nothing was enqueued")
    }

    @Test func redisAwayIs503SayingNothingOfTheServers() async throws {
        var unreachable = try RedisServer.unreachableConfiguration()
        unreachable.password = "never-shown"
        let away = PetalClient(redis: RedisClient(configuration: unreachable, poolSize: 1))
        try await GreeterHarness.run(client: away, waitForRedis: false) { http, port in
            let base = "http://127.0.0.1:\(port)"
            // /jobs and its stream need a visitor who has been here (a first visit needs no Redis).
            let visitor = http.keepingCookie(from: try await http.get("/jobs"))
            let cookie = try #require(visitor.cookie)
            for (path, json) in [("/", false), ("/wait/some-id", false), ("/status/some-id", true), ("/jobs", false), ("/jobs/events", false),
                                 ("/healthz", true)] {
                let reply = try await RealClient.curl(["-H", "Cookie: \(cookie)", base + path])
                #expect(reply.status == 503, "\(path): \(reply.status)")
                #expect(reply.headers["retry-after"] == "5", "\(path)")
                if path != "/healthz" { Self.expectAnswer(reply, json: json, path) }
            }
            // /healthz is for operators: it says what is wrong with Redis, never its password.
            let health = try await RealClient.curl([base + "/healthz"])
            #expect(try JSONValue(parsing: health.body)["status"] == "degraded")
            #expect(!health.body.contains("never-shown"), "\(health.body)")
            let page = try HTMLDocument(try await RealClient.curl([base + "/"]).body)
            #expect(page.text("//h1") == "Try again soon")
        }
    }

    /// curl's cookie jar and Python's requests keep the cookie `setCookie` wrote and send it back:
    /// the same visitor, no new cookie, their jobs on /jobs.
    @Test func realClientsKeepTheVisitorCookie() async throws {
        try await GreeterHarness.run(client: client) { _, port in
            let base = "http://127.0.0.1:\(port)"
            let first = try await RealClient.curl([base + "/"])
            let setCookie = try #require(first.headers["set-cookie"])
            #expect(setCookie.hasPrefix(VisitorCookie.name + "="), "\(setCookie)")
            for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] { #expect(setCookie.contains(attribute), "\(setCookie)") }

            let jar = FileManager.default.temporaryDirectory.appendingPathComponent("greeter-jar-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: jar) }
            #expect(try await RealClient.curl(["-c", jar, "-b", jar, base + "/jobs"]).headers["set-cookie"] != nil)
            #expect(try await RealClient.curl(["-c", jar, "-b", jar, base + "/jobs"]).headers["set-cookie"] == nil, "curl's jar sent it back")

            let script = """
            import json, sys, requests
            base = sys.argv[1]
            browser = requests.Session()
            first = browser.get(base + "/")
            posted = browser.post(base + "/greet", data={"person": "Requests", "total": "2"}, allow_redirects=False)
            jobs = browser.get(base + "/jobs")
            stranger = requests.get(base + "/jobs")
            print(json.dumps({"first": first.headers.get("Set-Cookie", ""), "posted": posted.status_code,
                              "location": posted.headers.get("Location", ""), "postedCookie": posted.headers.get("Set-Cookie", ""),
                              "jobs": jobs.text, "jobsCookie": jobs.headers.get("Set-Cookie", ""), "stranger": stranger.text}))
            """
            let answer = try JSONValue(parsing: try await RealClient.python(script, arguments: [base]))
            #expect(answer["first"]?.stringValue?.hasPrefix(VisitorCookie.name + "=") == true)
            #expect(answer["posted"] == 303)
            #expect(answer["postedCookie"] == "" && answer["jobsCookie"] == "", "a kept cookie is not set again")
            let id = String(try #require(answer["location"]?.stringValue).dropFirst("/wait/".count))
            #expect(!id.isEmpty)
            #expect(try HTMLDocument(try #require(answer["jobs"]?.stringValue)).count("//tr[@data-id='\(id)']") == 1, "the visitor's job is theirs")
            #expect(try HTMLDocument(try #require(answer["stranger"]?.stringValue)).count("//tr[@data-id='\(id)']") == 0)
        }
    }

    /// Every edit of a visitor cookie makes a new visitor: a new cookie, none of the old visitor's
    /// jobs, no live stream and no socket in their name.
    @Test func aTamperedVisitorCookieIsRefused() async throws {
        try await GreeterHarness.run(client: client) { http, port in
            let base = "http://127.0.0.1:\(port)"
            let visitor = http.keepingCookie(from: try await http.get("/jobs"))
            let pair = try #require(visitor.cookie)
            let location = try #require(try await visitor.post("/greet", form: ["person": "Ann", "total": "1"]).header("Location"))
            let id = String(location.dropFirst("/wait/".count))
            let value = String(pair.dropFirst(VisitorCookie.name.count + 1))
            let dot = try #require(value.lastIndex(of: "."))
            let visitorID = String(value[..<dot]), signature = String(value[value.index(after: dot)...])
            let flipped = String(signature.dropLast()) + (signature.last == "0" ? "1" : "0")
            let tampered = [
                visitorID + "." + flipped,                                             // one digit of the signature
                UUID().uuidString.lowercased() + "." + signature,                      // another id under this signature
                MessageSigner(secret: "another deployment").sign(visitorID),           // signed with another secret
                visitorID,                                                             // no signature
                visitorID + "." + signature.uppercased(),                              // the signature re-cased
                "\"" + value + "\"",                                                   // quoted
            ]
            #expect(try await RealClient.curl(["-H", "Cookie: \(pair)", base + "/jobs"]).body.contains("data-id=\"\(id)\""), "the real cookie works")
            for forged in tampered {
                let cookie = "Cookie: \(VisitorCookie.name)=\(forged)"
                let jobs = try await RealClient.curl(["-H", cookie, base + "/jobs"])
                #expect(jobs.status == 200)
                #expect(jobs.headers["set-cookie"]?.hasPrefix(VisitorCookie.name + "=") == true, "\(forged): a new visitor gets a new cookie")
                #expect(jobs.headers["set-cookie"]?.contains(visitorID) == false, "\(forged)")
                #expect(!jobs.body.contains(id), "\(forged): the old visitor's jobs stay theirs")
                #expect(try await RealClient.curl(["-H", cookie, base + "/jobs/events"]).status == 404, "\(forged): no stream")
                #expect(try await RealClient.curl(["-H", cookie, base + "/ws"]).status == 403, "\(forged): no socket")
            }
        }
    }
}
