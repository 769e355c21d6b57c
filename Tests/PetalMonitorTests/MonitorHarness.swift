import Foundation
import Hummingbird
import Petal
import PetalMonitor
import PetalRedis
import PetalTestSupport
import PetalWeb

/// The monitor in-process on a free port against a test redis-server.
struct MonitorHarness {
    let server: RedisServer
    let client: PetalClient

    init(server: RedisServer? = nil) throws {
        self.server = try server ?? RedisServer()
        client = self.server.petalClient(poolSize: 2)
    }

    /// Runs the monitor until `body` returns; `http` already holds the CSRF cookie.
    func run(basicAuth: String? = nil, urlPrefix: String = "", runnerSocket: String? = nil,
             redis: RedisConfiguration? = nil, allowedHosts: [String] = [], secret: String = MessageSigner.randomSecret(),
             _ body: (MonitorSession) async throws -> Void) async throws {
        let root = PetalBinary.root
        let redisConfiguration = redis ?? server.configuration
        var headers: [String: String] = [:]
        if let basicAuth { headers["Authorization"] = "Basic " + Data(basicAuth.utf8).base64EncodedString() }
        let (port, running) = try await InProcessServer.start(run: { [server] port in
            let configuration = MonitorConfiguration(
                port: port, redisDisplayURL: server.url, basicAuth: basicAuth, urlPrefix: urlPrefix,
                templatesDirectory: root.appendingPathComponent("Templates").path,
                staticDirectory: root.appendingPathComponent("Static").path, runnerSocket: runnerSocket,
                allowedHosts: allowedHosts, secret: secret)
            let pageClient = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 2))
            let eventClient = PetalClient(redis: RedisClient(configuration: redisConfiguration, poolSize: 1))
            try await buildMonitorApplication(configuration: configuration, client: pageClient, eventClient: eventClient).runService()
        }, isReady: { [headers] port in
            try await WireHTTP.exchange(port: port, path: urlPrefix + "/healthcheck", headers: headers, timeout: 10).status == 200
        })
        defer { running.cancel() }
        let bare = HTTPTestClient(base: "http://127.0.0.1:\(port)\(urlPrefix)", headers: headers)
        let first = try await bare.get("/tasks?limit=15")
        let http = bare.keepingCookie(from: first)
        // No cookie when the first page is an error (Redis refusing the monitor, say): forms then fail, as they should.
        let token = try requireToken(http.cookie, unless: first.status != 200)
        try await body(MonitorSession(http: http, csrf: token, port: port))
    }
}

/// A browser-like visitor of the monitor: the CSRF cookie and the token its forms carry.
struct MonitorSession {
    let http: HTTPTestClient
    let csrf: String
    let port: Int

    func page(_ path: String) async throws -> HTMLDocument {
        let reply = try await http.get(path)
        guard reply.status == 200 else { throw TestSupportError("GET \(path): \(reply.status) \(reply.body.prefix(300))") }
        return try HTMLDocument(reply.body)
    }

    /// Submits a form as the page would, token included.
    func submit(_ path: String, _ form: [String: String] = [:]) async throws -> HTTPTestClient.Reply {
        try await http.post(path, form: form.merging(["csrf": csrf]) { a, _ in a })
    }

    func json(_ path: String) async throws -> (status: Int, value: JSONValue) {
        let reply = try await http.get(path)
        return (reply.status, try JSONValue(parsing: reply.body))
    }

    func postJSON(_ path: String, _ body: JSONValue = [:]) async throws -> (status: Int, value: JSONValue, text: String) {
        let reply = try await http.post(path, rawBody: body.jsonText, contentType: "application/json")
        return (reply.status, (try? JSONValue(parsing: reply.body)) ?? .null, reply.body)
    }
}

private func requireToken(_ cookie: String?, unless pageFailed: Bool) throws -> String {
    if pageFailed && cookie == nil { return "" }
    guard let cookie, cookie.hasPrefix("petal_csrf=") else { throw TestSupportError("no CSRF cookie: \(cookie ?? "none")") }
    return String(cookie.dropFirst("petal_csrf=".count))
}
