import Foundation
import Petal
import PetalTestSupport
import Testing

/// What the monitor takes from PetalWeb, seen from outside: errors as JSON under /api and as
/// pages elsewhere (the right 4xx for hostile paths and bodies, never a 5xx), the security headers
/// on every answer, errors included, and the CSRF cookie as a real client keeps it.
@Suite("Monitor: shared web middleware", .serialized)
struct MonitorSharedWebTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func hostilePathsAndBodiesGetTheRight4xxAsJSONOrPage() async throws {
        try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 2], queue: "q1"))
        try await harness.run(urlPrefix: "/monitor") { session in
            let base = "http://127.0.0.1:\(session.port)/monitor"
            let gets: [(path: String, status: Int, json: Bool)] = [
                ("/no/such/page", 404, false), ("/api/no/such/thing", 404, true),
                ("/task/nope", 404, false), ("/api/task/info/nope", 404, true), ("/api/task/result/nope", 404, true),
                ("/tasks?limit=abc", 400, false), ("/api/tasks?limit=abc", 400, true),
                ("/tasks?limit=99999999999999999999999", 400, false), ("/api/tasks?offset=-1", 400, true),
            ]
            for (path, status, json) in gets {
                let reply = try await RealClient.curl([base + path])
                #expect(reply.status == status, "GET \(path): \(reply.status) \(reply.body.prefix(120))")
                Self.expectAnswer(reply, json: json, "GET \(path)")
            }
            // Bodies: too large, compressed, for a form and for the API.
            let pause = try #require(try await session.page("/queues").texts("//form[contains(@action, '/pause')]/@action").first)
            let origin = "http://127.0.0.1:\(session.port)"
            let cookie = ["-H", "Cookie: \(session.http.cookie ?? "")"]
            // (A body over 128 KiB cannot be an argument: curl reads it from a file.)
            let largeForm = FileManager.default.temporaryDirectory.appendingPathComponent("large-form-\(UUID().uuidString)").path
            try Data(("csrf=" + String(repeating: "a", count: 1_100_000)).utf8).write(to: URL(fileURLWithPath: largeForm))
            defer { try? FileManager.default.removeItem(atPath: largeForm) }
            let posts: [(path: String, arguments: [String], status: Int, json: Bool)] = [
                (origin + pause, cookie + ["--data-binary", "@" + largeForm], 413, false),
                (origin + pause, cookie + ["-H", "Content-Encoding: gzip", "--data-binary", "csrf=\(session.csrf)"], 415, false),
                (origin + pause, ["--data-binary", "csrf=\(session.csrf)"], 403, false),
                (base + "/api/task/send-task/add", ["-H", "Content-Type: application/json", "--data-binary", "{\"args\": [1,"], 400, true),
                (base + "/api/task/send-task/add", ["-H", "Content-Encoding: br", "--data-binary", "{}"], 415, true),
            ]
            for (url, arguments, status, json) in posts {
                let reply = try await RealClient.curl(arguments + [url])
                #expect(reply.status == status, "POST \(url) \(arguments.suffix(2).first ?? ""): \(reply.status) \(reply.body.prefix(120))")
                Self.expectAnswer(reply, json: json, "POST \(url)")
            }
            #expect(try await harness.client.queues().first { $0.name == "q1" }?.paused == false, "no refused form did anything")
        }
    }

    static func expectAnswer(_ reply: RealClient.Reply, json: Bool, _ what: String) {
        #expect(ErrorAnswer.problems(reply, json: json) == [], "\(what)")
    }

    /// Python's requests keeps the CSRF cookie Hummingbird's `setCookie` wrote and sends it back
    /// with the form's token; the cookie is set once, and a client without it is refused.
    @Test func aRealClientKeepsTheCSRFCookieAndPostsAForm() async throws {
        try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 2], queue: "q1"))
        try await harness.run { session in
            let script = """
            import json, re, sys, requests
            base = sys.argv[1]
            browser = requests.Session()
            first = browser.get(base + "/queues")
            again = browser.get(base + "/queues")
            action = re.search(r'action="([^"]*/pause)"', first.text).group(1)
            token = re.search(r'name="csrf" value="([^"]*)"', first.text).group(1)
            stranger = requests.post(base + action, data={"csrf": token}, allow_redirects=False)
            posted = browser.post(base + action, data={"csrf": token}, allow_redirects=False)
            print(json.dumps({"setCookie": first.headers.get("Set-Cookie", ""), "again": again.headers.get("Set-Cookie", ""),
                              "kept": browser.cookies.get("petal_csrf") == token, "stranger": stranger.status_code,
                              "posted": posted.status_code}))
            """
            let answer = try JSONValue(parsing: try await RealClient.python(script, arguments: ["http://127.0.0.1:\(session.port)"]))
            let setCookie = try #require(answer["setCookie"]?.stringValue)
            #expect(setCookie.hasPrefix("petal_csrf="), "\(setCookie)")
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(setCookie.contains(attribute), "\(setCookie)") }
            #expect(answer["again"] == "", "a kept cookie is not set again")
            #expect(answer["kept"] == true, "the form's token is the cookie's")
            #expect(answer["stranger"] == 403, "the token alone, without the cookie, is refused")
            #expect(answer["posted"] == 303)
            #expect(try await harness.client.queues().first { $0.name == "q1" }?.paused == true)
        }
    }
}
