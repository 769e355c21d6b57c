import Foundation
import PetalRedis
import PetalTestSupport
import Testing

@Suite("Redis client against a real redis-server")
struct RedisClientTests {
    let server: RedisServer
    let client: RedisClient

    init() throws {
        server = try RedisServer()
        client = RedisClient(configuration: server.configuration, poolSize: 2)
    }

    @Test func commandsAreBinarySafe() async throws {
        let value = RedisArgument(bytes: [0, 1, 2, 255, 13, 10, 0])
        try await client.command(["SET", "binary", value])
        let reply = try await client.command(["GET", "binary"])
        #expect(reply == .bulk([0, 1, 2, 255, 13, 10, 0]))
    }

    @Test func errorRepliesThrowTypedErrors() async throws {
        try await client.command("SET", "text", "x")
        await #expect(throws: RedisError.self) { try await client.command("LPUSH", "text", "y") }
        // The pool is still usable after an error reply.
        #expect(try await client.command("GET", "text").string == "x")
    }

    @Test func pipelineKeepsErrorsInPlace() async throws {
        let replies = try await client.pipeline([["SET", "a", "1"], ["INCR", "a"], ["LPUSH", "a", "x"], ["GET", "a"]])
        #expect(replies.count == 4)
        #expect(replies[1] == .integer(2))
        if case .error(let message) = replies[2] { #expect(message.hasPrefix("WRONGTYPE")) } else { Issue.record("expected WRONGTYPE") }
        #expect(replies[3].string == "2")
    }

    @Test func hashesReadManyInOrder() async throws {
        try await client.command("HSET", "h1", "a", "1", "long", String(repeating: "é", count: 40))
        try await client.command("HSET", "h2", "b", "")
        let hashes = try await client.withConnection { connection throws(RedisError) in try connection.hashes(["h1", "missing", "h2"]) }
        #expect(hashes.count == 3)
        #expect(Dictionary(uniqueKeysWithValues: hashes[0]) == ["a": "1", "long": String(repeating: "é", count: 40)])
        #expect(hashes[1].isEmpty)
        #expect(hashes[2].map(\.0) == ["b"] && hashes[2].map(\.1) == [""])
        try await client.command("SET", "plain", "x")
        await #expect(throws: RedisError.self) {
            try await client.withConnection { connection throws(RedisError) in try connection.hashes(["h1", "plain"]) }
        }
        // The connection read every reply before throwing: the pool still answers in step.
        #expect(try await client.command("GET", "plain").string == "x")
    }

    @Test func scriptsLoadOnNoscriptAndRunBySHA() async throws {
        let script = RedisScript(name: "double", source: "return tonumber(ARGV[1]) * 2")
        #expect(script.sha.count == 40)
        #expect(try await client.evaluate(script, arguments: ["21"]) == .integer(42))
        try await client.command("SCRIPT", "FLUSH")
        #expect(try await client.evaluate(script, arguments: ["5"]) == .integer(10))
        let loaded = try await client.command(["SCRIPT", "LOAD", RedisArgument(script.source)])
        #expect(loaded.string == script.sha)
    }

    @Test func blockingPopWaitsForAPush() async throws {
        async let popped = client.blocking(["BLPOP", "later", "5"], blockSeconds: 5)
        try await Task.sleep(for: .milliseconds(200))
        try await client.command("RPUSH", "later", "hello")
        #expect(try await popped.array?.last?.string == "hello")
    }

    @Test func subscriptionDeliversMessagesAndPatterns() async throws {
        let subscription = client.subscribe(channels: ["news"], patterns: ["job:*"])
        var iterator = subscription.makeAsyncIterator()
        // Confirmed once Redis has taken both the channel and the pattern: nothing published after is missed.
        #expect(await iterator.next() == .subscribed)
        try await client.command("PUBLISH", "news", "one")
        try await client.command("PUBLISH", "job:7", "two")
        #expect(await iterator.next() == .message(channel: "news", payload: "one", pattern: nil))
        #expect(await iterator.next() == .message(channel: "job:7", payload: "two", pattern: "job:*"))
    }

    @Test func aSubscriptionSaysWhenItIsBackAfterARestart() async throws {
        var iterator = client.subscribe(channels: ["news"]).makeAsyncIterator()
        #expect(await iterator.next() == .subscribed)
        let restarted = try server.restarted()
        // Back and confirmed: what is published from now on arrives.
        #expect(await iterator.next() == .resubscribed)
        let publisher = RedisClient(configuration: restarted.configuration, poolSize: 1)
        try await publisher.command("PUBLISH", "news", "again")
        #expect(await iterator.next() == .message(channel: "news", payload: "again", pattern: nil))
    }

    @Test func reconnectsAfterRedisRestarts() async throws {
        // Every pooled connection is open when Redis goes away (two calls at once use both).
        async let first = client.command("SET", "k", "v")
        async let second = client.blocking(["BLPOP", "nothing", "0.2"], blockSeconds: 0.2)
        _ = try await (first, second)
        let restarted = try server.restarted()
        // Each stale connection is noticed before a command goes out on it: no call fails.
        for _ in 0..<6 {
            async let one = client.command("PING")
            async let two = client.pipeline([["PING"], ["PING"]])
            async let three = client.blocking(["BLPOP", "nothing", "0.1"], blockSeconds: 0.1)
            let (ping, pings, popped) = try await (one, two, three)
            #expect(ping == .status("PONG"))
            #expect(pings == [.status("PONG"), .status("PONG")])
            #expect(popped.isNull)
        }
        _ = restarted
    }

    @Test func aConnectionTheServerClosedIsReplacedBeforeTheNextCommand() throws {
        let connection = RedisConnection(configuration: server.configuration)
        try connection.command("CLIENT", "SETNAME", "doomed")
        let admin = RedisConnection(configuration: server.configuration)
        try admin.command("CLIENT", "KILL", "SKIPME", "yes")
        #expect(try connection.command("PING") == .status("PONG"))
    }

    @Test func aSlowReplySaysItTimedOut() throws {
        var configuration = server.configuration
        configuration.commandTimeout = 0.3
        let connection = RedisConnection(configuration: configuration)
        // BLPOP sent as a plain command: Redis answers after 2 s, the connection gives up first.
        do {
            try connection.command("BLPOP", "nothing", "2")
            Issue.record("expected a timeout")
        } catch {
            #expect("\(error)".contains("no reply within 0.3 s"), "\(error)")
        }
        #expect(try connection.command("PING") == .status("PONG"), "the next call connects again")
    }

    @Test func connectsOverAUnixSocketWithADatabase() async throws {
        let socketClient = try RedisClient(url: "unix://\(server.socketPath)?db=3", poolSize: 1)
        try await socketClient.command("SET", "where", "db3")
        #expect(try await socketClient.command("GET", "where").string == "db3")
        #expect(try await client.command("GET", "where").isNull, "database 0 does not see it")
    }

    @Test func connectionErrorsAreTyped() async throws {
        let unreachable = RedisClient(configuration: try RedisServer.unreachableConfiguration(), poolSize: 1)
        await #expect { try await unreachable.command("PING") } throws: { ($0 as? RedisError)?.isConnectionError == true }
    }
}

@Suite("Redis URLs")
struct RedisURLTests {
    @Test func parsesTCPURLs() throws {
        let full = try RedisConfiguration(url: "redis://user:p%40ss@example.com:6380/3")
        #expect(full.endpoint == .tcp(host: "example.com", port: 6380))
        #expect(full.username == "user")
        #expect(full.password == "p@ss")
        #expect(full.database == 3)
        #expect(full.description == "redis://user:***@example.com:6380/3")
        let bare = try RedisConfiguration(url: "redis://localhost")
        #expect(bare.endpoint == .tcp(host: "localhost", port: 6379))
        let ipv6 = try RedisConfiguration(url: "redis://[::1]:7000")
        #expect(ipv6.endpoint == .tcp(host: "::1", port: 7000))
    }

    @Test func parsesUnixSocketURLs() throws {
        let socket = try RedisConfiguration(url: "unix:///run/redis.sock?db=2")
        #expect(socket.endpoint == .unix(path: "/run/redis.sock"))
        #expect(socket.database == 2)
    }

    @Test func rejectsBadURLs() {
        for bad in ["localhost:6379", "http://x", "redis://h:port", "redis://h:70000", "redis://h/db", "unix://relative",
                    "redis://h?ssl_ca_certs=/ca.pem", "rediss://h?ssl_cert_reqs=maybe", "redis://h?timeout=5",
                    "redis+sentinel://h1,h2", "redis+sentinel:///mymaster", "redis+sentinel://h:port/m", "redis+sentinel://h/m/x",
                    "redis://h?sentinel_password=x"] {
            #expect(throws: RedisError.self) { try RedisConfiguration(url: bad) }
        }
    }
}
