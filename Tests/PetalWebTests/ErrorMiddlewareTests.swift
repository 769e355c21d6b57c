import Foundation
import Hummingbird
import Petal
import PetalRedis
import PetalTestSupport
import PetalWeb
import Testing

/// The error middleware both web apps share, in a small app of its own on a free port: every
/// kind of error a handler can throw, on an HTML path and on a JSON path, for operators (the
/// monitor) and for visitors (the greeter), asked by real HTTP.
@Suite("Shared error middleware", .serialized)
struct ErrorMiddlewareTests {
    /// What a handler throws, the status it must become, words the answer must carry, and words
    /// (internals) it must not.
    struct Case: Sendable {
        let name: String
        let error: any Error & Sendable
        let status: Int
        let says: String
        var operatorsAlsoSee: String? = nil
        var hidden: String? = nil
        var retrying = false
    }

    struct Unexpected: Error, CustomStringConvertible { var description: String { "internal-detail-xyz at /srv/app/secret.swift:12" } }

    static let cases: [Case] = [
        Case(name: "http-404", error: HTTPError(.notFound), status: 404, says: "nothing at this address"),
        Case(name: "http-400", error: HTTPError(.badRequest, message: "limit must be a whole number"), status: 400, says: "limit must be a whole number"),
        Case(name: "http-413", error: HTTPError(.contentTooLarge, message: "the body is larger than 100 bytes"), status: 413, says: "larger than 100 bytes"),
        Case(name: "http-500", error: HTTPError(.internalServerError, message: "template /srv/secret/layout is missing"), status: 500,
             says: "Something went wrong", hidden: "/srv/secret"),
        Case(name: "job-not-found", error: PetalError.jobNotFound("job-42"), status: 404, says: "job-42"),
        Case(name: "invalid-request", error: PetalError.invalidRequest("queue names are 1 to 100 letters"), status: 400, says: "queue names are 1 to 100 letters"),
        Case(name: "redis-down", error: PetalError.redis(.connection("connect to 10.9.8.7:6379: refused")), status: 503,
             says: "unreachable", operatorsAlsoSee: "redis://ops.example:6390", retrying: true),
        Case(name: "redis-loading", error: PetalError.redis(.server("LOADING Redis is loading the dataset in memory")), status: 503,
             says: "unreachable", retrying: true),
        Case(name: "redis-full", error: PetalError.redis(.server("OOM command not allowed when used memory > 'maxmemory'.")), status: 507,
             says: "OOM command not allowed"),
        Case(name: "redis-auth", error: PetalError.redis(.server("WRONGPASS invalid username-password pair")), status: 503,
             says: "", operatorsAlsoSee: "credentials"),
        Case(name: "script-error", error: PetalError.redis(.server("ERR user_script:1: attempt to index secret_field")), status: 500,
             says: "Something went wrong", hidden: "secret_field"),
        Case(name: "protocol", error: PetalError.protocolViolation("hash petal:job:x has no state"), status: 500,
             says: "Something went wrong", hidden: "petal:job:x"),
        Case(name: "decoding", error: DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bad field secret_key")), status: 400,
             says: "could not be read", hidden: "secret_key"),
        Case(name: "unexpected", error: Unexpected(), status: 500, says: "Something went wrong", hidden: "internal-detail-xyz"),
    ]

    static let redisURL = "redis://ops.example:6390"

    /// The app: security headers, the error middleware, and for each case a route that throws
    /// its error under /page/ (HTML) and /api/ (JSON); /body reads at most 100 bytes.
    func withApp(_ audience: ErrorAudience, brokenPage: Bool = false, _ body: (HTTPTestClient, Int) async throws -> Void) async throws {
        let (port, running) = try await InProcessServer.start(run: { port in
            let app = Application(router: Self.router(audience, brokenPage: brokenPage), configuration: .init(address: .hostname("127.0.0.1", port: port)))
            try await app.runService()
        }, isReady: { port in try await WireHTTP.exchange(port: port, path: "/page/http-404", timeout: 10).status == 404 })
        defer { running.cancel() }
        try await body(HTTPTestClient(base: "http://127.0.0.1:\(port)"), port)
    }

    static func router(_ audience: ErrorAudience, brokenPage: Bool) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorMiddleware(audience: audience, jsonPaths: JSONPaths(prefixes: ["/api/"], paths: ["/health"])) { report, request, context in
            if brokenPage { throw HTTPError(.internalServerError, message: "no template") }
            let escape = UTF8HTMLEscaping()
            return try HTML("<h1 id=\"heading\">\(escape.escapeText(report.heading))</h1><p id=\"message\">\(escape.escapeText(report.message))</p>",
                            status: report.status).response(from: request, context: context)
        })
        for item in cases {
            let error = item.error
            router.get("/page/\(item.name)") { _, _ -> Response in throw error }
            router.get("/api/\(item.name)") { _, _ -> Response in throw error }
        }
        for path in ["/body", "/api/body"] {
            router.post(RouterPath(path)) { request, _ -> String in
                var request = request
                return String(buffer: try await request.readBody(limit: 100))
            }
        }
        router.get("/health") { _, _ -> Response in throw PetalError.redis(.connection("refused")) }
        return router
    }

    @Test(arguments: [ErrorAudience.operators(redisURL: redisURL), .visitors])
    func everyErrorBecomesItsStatusAsAPageOrJSON(audience: ErrorAudience) async throws {
        try await withApp(audience) { http, _ in
            for item in Self.cases {
                let page = try await http.get("/page/\(item.name)")
                #expect(page.status == item.status, "\(item.name): \(page.status)")
                #expect(page.header("Content-Type")?.hasPrefix("text/html") == true, "\(item.name)")
                let document = try HTMLDocument(page.body)
                let message = try #require(document.text("//p[@id='message']"), "\(item.name): \(page.body.prefix(200))")
                #expect(document.text("//h1[@id='heading']")?.isEmpty == false, "\(item.name)")

                let api = try await http.get("/api/\(item.name)")
                #expect(api.status == item.status, "\(item.name): \(api.status)")
                #expect(api.header("Content-Type")?.hasPrefix("application/json") == true, "\(item.name)")
                let json = try #require(try JSONValue(parsing: api.body)["error"]?.stringValue, "\(item.name): \(api.body)")
                #expect(json == message, "the page and the JSON say the same")

                #expect(item.says.isEmpty || message.contains(item.says), "\(item.name): \(message)")
                if case .operators = audience, let extra = item.operatorsAlsoSee { #expect(message.contains(extra), "\(item.name): \(message)") }
                if case .visitors = audience {
                    #expect(!message.contains("ops.example") && !message.contains("10.9.8.7") && !message.contains("WRONGPASS"),
                            "visitors learn nothing of the servers: \(message)")
                }
                if let hidden = item.hidden { #expect(!(page.body + api.body).contains(hidden), "\(item.name) shows internals") }
                for reply in [page, api] {
                    #expect(reply.header("Retry-After") == (item.retrying ? "5" : nil), "\(item.name)")
                    #expect(reply.header("X-Content-Type-Options") == "nosniff", "\(item.name)")
                    #expect(reply.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(item.name)")
                    #expect(reply.header("X-Frame-Options") == "DENY", "\(item.name)")
                }
            }
            #expect(try await http.get("/health").header("Content-Type")?.hasPrefix("application/json") == true, "an exact JSON path")
        }
    }

    @Test func hostilePathsAndBodiesGetTheirOwn4xx() async throws {
        try await withApp(.visitors) { _, port in
            let base = "http://127.0.0.1:\(port)"
            for path in ["/page/%00", "/page/..%2f..%2fetc%2fpasswd", "/%ff%fe", "/page/" + String(repeating: "a", count: 4000),
                         "/page/%3Cscript%3Ealert(1)%3C/script%3E"] {
                let reply = try await RealClient.curl(["--path-as-is", base + path])
                #expect(reply.status == 404, "\(path): \(reply.status)")
                #expect(reply.headers["content-type"]?.hasPrefix("text/html") == true, "\(path)")
                #expect(!reply.body.contains("<script>"), "what was asked for is never echoed as markup")
            }
            let apiMiss = try await RealClient.curl([base + "/api/no-such-thing"])
            #expect(apiMiss.status == 404)
            #expect(try JSONValue(parsing: apiMiss.body)["error"] != nil, "\(apiMiss.body)")

            for path in ["/body", "/api/body"] {
                let json = path.hasPrefix("/api/")
                let bodies: [([String], Int)] = [
                    (["--data-binary", String(repeating: "x", count: 1000)], 413),
                    (["-H", "Content-Encoding: gzip", "--data-binary", "abc"], 415),
                    (["-H", "Content-Encoding: br", "--data-binary", "abc"], 415),
                ]
                for (arguments, status) in bodies {
                    let reply = try await RealClient.curl(arguments + [base + path])
                    #expect(reply.status == status, "\(path) \(arguments.prefix(2)): \(reply.status) \(reply.body.prefix(100))")
                    #expect(reply.headers["content-type"]?.hasPrefix(json ? "application/json" : "text/html") == true, "\(path)")
                }
                let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                let gzipOnly = try await WireHTTP.raw(port: port, Array((request + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n").utf8))
                #expect(WireHTTP.status(of: gzipOnly) == 501, "\(gzipOnly.prefix(120))")
                let shortBody = try await WireHTTP.raw(port: port, Array((request + "Content-Length: 50\r\n\r\nabc").utf8))
                #expect(WireHTTP.status(of: shortBody) == 400, "\(shortBody.prefix(120))")
                #expect(!(gzipOnly + shortBody).contains(" 500 "))
            }
        }
    }

    @Test func aPageThatCannotBeRenderedStillAnswersPlainly() async throws {
        try await withApp(.visitors, brokenPage: true) { http, _ in
            let reply = try await http.get("/page/invalid-request")
            #expect(reply.status == 400, "the error's status, not the renderer's")
            #expect(try HTMLDocument(reply.body).text("//p[@id='message']") == "queue names are 1 to 100 letters")
            #expect(!reply.body.contains("no template"))
        }
    }
}
