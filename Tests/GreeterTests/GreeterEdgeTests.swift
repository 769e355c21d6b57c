import Foundation
import Petal
import PetalTestSupport
import Testing

/// The greeter where visitors and attackers walk: foreign Hosts, HEAD and wrong methods, a full
/// Redis, a restarted Redis.
@Suite("Greeter at the edges", .serialized)
struct GreeterEdgeTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    @Test func onlyAllowedHostsAreAnswered() async throws {
        try await GreeterHarness.run(client: client, allowedHosts: ["greeter.example"]) { http, port in
            let base = "http://127.0.0.1:\(port)"
            let attack = try await RealClient.curl(["-X", "POST", "-H", "Host: rebind.evil.example:\(port)", "-d", "person=Eve&total=3", base + "/greet"])
            #expect(attack.status == 421)
            #expect(try await server.redisClient().command("DBSIZE").int == 0, "nothing was enqueued")
            #expect(try await RealClient.curl(["-H", "Host: greeter.example", base + "/"]).status == 200)
            #expect(try await RealClient.curl(["-H", "Host: localhost:\(port)", base + "/"]).status == 200)
        }
    }

    @Test func formsOnlyFromThisOrigin() async throws {
        try await GreeterHarness.run(client: client) { http, port in
            let base = "http://127.0.0.1:\(port)"
            for headers in [["Origin: http://evil.example"], ["Origin: http://127.0.0.1:\(port + 1)"], ["Sec-Fetch-Site: cross-site"],
                            ["Origin: null"]] {
                for path in ["/greet", "/demo/progress"] {
                    let reply = try await RealClient.curl(headers.flatMap { ["-H", $0] } + ["-d", "person=Eve&total=3", base + path])
                    #expect(reply.status == 403, "\(headers) \(path)")
                    #expect(reply.headers["set-cookie"] == nil, "a refused POST leaves the visitor's cookie alone")
                }
            }
            #expect(try await server.redisClient().command("DBSIZE").int == 0, "nothing was enqueued")
            let own = try await RealClient.curl(["-H", "Origin: \(base)", "-H", "Sec-Fetch-Site: same-origin", "-d", "person=Ann&total=1", base + "/greet"])
            #expect(own.status == 303)
        }
    }

    @Test func malformedHostsAreRefused() async throws {
        try await GreeterHarness.run(client: client) { http, port in
            for host in ["127.0.0.1:\(port)@evil.example", "127.0.0.1:99999", "evil example", "127.0.0.1:80:80"] {
                let reply = try await WireHTTP.raw(port: port, Array("GET / HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
                #expect([400, 421].contains(WireHTTP.status(of: reply)), "Host: \(host): \(reply.prefix(60))")
            }
        }
    }

    @Test func headWrongMethodsAndNoSniffing() async throws {
        try await GreeterHarness.run(client: client) { http, port in
            let base = "http://127.0.0.1:\(port)"
            for path in ["/", "/jobs", "/healthz", "/greeter.css"] {
                let head = try await RealClient.curl(["-I", base + path])
                #expect(head.status == 200, "HEAD \(path)")
                #expect(head.headers["x-content-type-options"] == "nosniff", "\(path)")
            }
            let wrong = try await RealClient.curl(["-X", "DELETE", base + "/greet"])
            #expect(wrong.status == 405)
            #expect(wrong.headers["allow"] == "POST")
            let status = try await RealClient.curl([base + "/status/nope"])
            #expect(status.status == 404)
            #expect(status.headers["x-content-type-options"] == "nosniff", "JSON is not sniffed either")
        }
    }

    @Test func aRedisRestartCostsNoRequest() async throws {
        try await GreeterHarness.run(client: client) { http, _ in
            for _ in 0..<8 { #expect(try await http.get("/").status == 200) }  // every pooled connection in use once
            let restarted = try server.restarted()
            for index in 0..<8 {
                let reply = try await http.post("/greet", form: ["person": "After \(index)", "total": "1"])
                #expect(reply.status == 303, "POST /greet \(index) after the restart: \(reply.status)")
            }
            #expect(try await http.get("/healthz").status == 200)
            withExtendedLifetime(restarted) {}
        }
    }

    @Test func aFullRedisIsSaidPlainlyAndLosesNothing() async throws {
        try await GreeterHarness.run(client: client) { http, _ in
            #expect(try await http.get("/").status == 200)
            try await server.redisClient().command("CONFIG", "SET", "maxmemory-policy", "noeviction")
            try await server.redisClient().command("CONFIG", "SET", "maxmemory", "1")
            let full = try await http.post("/greet", form: ["person": "Ann", "total": "2"])
            try await server.redisClient().command("CONFIG", "SET", "maxmemory", "0")
            #expect(full.status == 507, "\(full.status) \(full.body.prefix(200))")
            #expect(full.body.contains("OOM"), "Redis's own words")
            let retried = try await http.post("/greet", form: ["person": "Ann", "total": "2"])
            #expect(retried.status == 303)
        }
    }
}
