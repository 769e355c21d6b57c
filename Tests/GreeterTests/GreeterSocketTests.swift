import Foundation
import Greeter
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// `/ws` driven by a real WebSocket client against the in-process greeter, a real redis-server
/// and a real `greeter worker`: calls and their errors, answers matched by id, pushes, visitors
/// kept apart, the limits, and cross-site WebSocket hijacking refused.
@Suite("Greeter WebSocket", .serialized)
struct GreeterSocketTests {
    let greeter: GreeterTests

    init() throws { greeter = try GreeterTests() }

    /// A new visitor's cookie pair (`greeter_visitor=…`), as a browser gets it from `/jobs`.
    func visitorCookie(_ http: HTTPTestClient) async throws -> String {
        try #require(http.keepingCookie(from: try await http.get("/jobs")).cookie)
    }

    func code(_ reply: JSONValue) -> String? { reply["error"]?["code"]?.stringValue }

    @Test func callsAreAnsweredByIdAndErrorsKeepTheSocketOpen() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            let snapshot = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            #expect(snapshot["jobs"] == .array([]))

            socket.call(1, "serverInfo")
            let info = try await socket.answer(1)
            #expect((info["result"]?["workers"]?.intValue ?? 0) >= 1, "\(info)")
            #expect(info["result"]?["queued"]?.intValue != nil)

            socket.call(2, "noSuchFunction")
            #expect(code(try await socket.answer(2)) == "unknown_function")
            socket.call(3, "startGreeting", ["person": "   ", "total": 500])
            let invalid = try await socket.answer(3)
            #expect(code(invalid) == "bad_arguments")
            #expect(invalid["error"]?["fields"]?["person"] == "Please enter a name.")
            #expect(invalid["error"]?["fields"]?["total"] == "Steps must be from 1 to 100.")
            // "a" and 7,000 combining accents: one character, 14 KB.
            socket.call(31, "startGreeting", ["person": .string("a" + String(repeating: "\u{301}", count: 7000)), "total": 1])
            let accents = try await socket.answer(31)
            #expect(code(accents) == "bad_arguments", "\(accents["error"] ?? accents)")
            #expect(accents["error"]?["fields"]?["person"]?.stringValue?.contains("at most 100 characters") == true)
            socket.call(4, "jobStatus", ["id": "no-such-job"])
            #expect(code(try await socket.answer(4)) == "not_found")
            socket.call(5, "jobStatus", ["id": 42])
            #expect(code(try await socket.answer(5)) == "bad_arguments")
            socket.call(6, "myJobs", .array([]))
            #expect(code(try await socket.answer(6)) == "bad_arguments", "args must be an object")
            socket.send("this is not JSON")
            let garbled = try await socket.first("the answer to garbage") { $0["id"] == .null && $0["error"] != nil }
            #expect(code(garbled) == "bad_message")
            #expect(garbled["error"]?["message"]?.stringValue?.contains("this is not") == false, "the bad input is not echoed back")
            socket.send(#"{"call": "myJobs"}"#)
            try await Eventually.wait("a second bad_message") { socket.received.filter { code($0) == "bad_message" }.count == 2 }
            socket.call(7, "waitForJob", ["id": "no-such-job", "timeout": "soon"])
            #expect(code(try await socket.answer(7)) == "not_found")

            // After all that the socket still answers.
            socket.call(8, "startGreeting", ["person": "Socket", "total": "2"])
            let started = try await socket.answer(8)
            let id = try #require(started["result"]?["id"]?.stringValue, "\(started)")
            #expect(started["result"]?["task"] == "greeter.expensive_greet")
            #expect(started["result"]?["total"] == 2)
            socket.call(9, "myJobs")
            #expect(try await socket.answer(9)["result"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            #expect(socket.end == nil, "still open")
        }
    }

    @Test func slowAnswersComeAfterQuickOnesAndJobsArePushed() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            socket.call(1, "startGreeting", ["person": "Push", "total": 12])
            let id = try #require(try await socket.answer(1)["result"]?["id"]?.stringValue)

            // 10 waits for the job (about 6 s: room for a slow answer when the machine is busy);
            // 11 asks its status now. 11 is answered first.
            socket.call(10, "waitForJob", ["id": .string(id)])
            socket.call(11, "jobStatus", ["id": .string(id)])
            let finished = try await socket.answer(10, timeout: 60)
            let replies = socket.received.compactMap { $0["id"]?.intValue }
            #expect(replies.firstIndex(of: 11)! < replies.firstIndex(of: 10)!, "answers in the order they are ready: \(replies)")
            #expect(finished["result"]?["state"] == "SUCCESS")
            #expect(finished["result"]?["result"] == "Greetings, Push!")

            // Pushed without asking: the job's progress and its end.
            let pushes = socket.received.filter { $0["event"] == "job" && $0["job"]?["id"] == .string(id) }.compactMap { $0["job"] }
            #expect(pushes.contains { $0["state"] == "PROGRESS" && $0["current"] == 1 && $0["total"] == 12 }, "\(pushes)")
            let success = try await socket.first("the SUCCESS push") { $0["event"] == "job" && $0["job"]?["state"] == "SUCCESS" }
            #expect(success["job"]?["result"] == "Greetings, Push!")
            #expect(success["id"] == nil, "a push has no call id")
            #expect(success["job"]?["group"] == nil, "the page gets what it shows")

            // Revoking a finished job changes nothing and says so.
            socket.call(12, "revokeJob", ["id": .string(id)])
            #expect(try await socket.answer(12)["result"]?["outcome"] == "finished")
        }
    }

    @Test func aVisitorSeesOnlyTheirOwnJobs() async throws {
        try await greeter.withApp { http, port in
            let alice = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            let bob = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await alice.first("alice's snapshot") { $0["event"] == "snapshot" }
            _ = try await bob.first("bob's snapshot") { $0["event"] == "snapshot" }
            // No worker runs: Alice's job waits, so it can be revoked.
            alice.call(1, "startGreeting", ["person": "Alice", "total": 5])
            let id = try #require(try await alice.answer(1)["result"]?["id"]?.stringValue)
            _ = try await alice.first("the PENDING push") { $0["event"] == "job" && $0["job"]?["id"] == .string(id) }

            for (number, function) in ["jobStatus", "revokeJob", "waitForJob"].enumerated() {
                bob.call(number + 1, function, ["id": .string(id)])
                let answer = try await bob.answer(number + 1)
                #expect(code(answer) == "not_found", "\(function): \(answer)")
                #expect(answer["error"]?["message"]?.stringValue?.contains(id) == true)
            }
            bob.call(9, "myJobs")
            #expect(try await bob.answer(9)["result"] == .array([]))
            #expect(try await greeter.client.job(id)?.state == .pending, "Bob's revoke did nothing")
            #expect(!bob.received.contains { $0["event"] == "job" }, "no push of Alice's job reaches Bob")

            alice.call(2, "revokeJob", ["id": .string(id)])
            let revoked = try await alice.answer(2)
            #expect(revoked["result"]?["outcome"] == "revoked")
            #expect(revoked["result"]?["job"]?["state"] == "REVOKED")
            #expect(revoked["result"]?["job"]?["error"] == "This job was cancelled.")
            _ = try await alice.first("the REVOKED push") { $0["event"] == "job" && $0["job"]?["state"] == "REVOKED" }
        }
    }

    /// `waitForJob` answers at its timeout with the job as it is (here never taken: no worker).
    @Test func waitForJobAnswersAtItsTimeoutWithTheJobAsItIs() async throws {
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            socket.call(1, "startGreeting", ["person": "Patience", "total": 1])
            let id = try #require(try await socket.answer(1)["result"]?["id"]?.stringValue)
            socket.call(2, "waitForJob", ["id": .string(id), "timeout": 0.3])
            socket.call(3, "waitForJob", ["id": .string(id), "timeout": 1e308])
            socket.call(4, "myJobs")
            #expect(try await socket.answer(2)["result"]?["state"] == "PENDING")
            #expect(try await socket.answer(4)["result"]?.arrayValue?.count == 1, "a waiting call holds up no other")
            socket.call(5, "revokeJob", ["id": .string(id)])
            #expect(try await socket.answer(5)["result"]?["outcome"] == "revoked")
            #expect(try await socket.answer(3)["result"]?["state"] == "REVOKED", "the notice of its end woke the long wait")
        }
    }

    @Test func seventeenCallsAtOnceGetAnErrorThenAPolicyClose() async throws {
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            socket.call(1, "startGreeting", ["person": "Never", "total": 1])  // no worker: it stays PENDING
            let id = try #require(try await socket.answer(1)["result"]?["id"]?.stringValue)
            for number in 2...17 { socket.call(number, "waitForJob", ["id": .string(id), "timeout": 10]) }
            socket.call(18, "myJobs")
            let refused = try await socket.answer(18)
            #expect(code(refused) == "too_many_calls")
            #expect(try await socket.waitForEnd() == .init(code: 1008, reason: refused["error"]?["code"]?.stringValue ?? ""))
        }
    }

    /// A page that keeps 16 calls going, sending the next as each answer arrives, is never over
    /// the limit: a slot is free before its answer is written.
    @Test func sixteenCallsKeptInFlightAreNeverRefused() async throws {
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            for number in 1...16 { socket.call(number, "myJobs") }
            for number in 17...300 {
                _ = try await socket.answer(number - 16)
                socket.call(number, "myJobs")
            }
            for number in 285...300 { _ = try await socket.answer(number) }
            #expect(!socket.received.contains { code($0) != nil }, "\(socket.received.filter { code($0) != nil }.prefix(1))")
            #expect(socket.end == nil)
        }
    }

    @Test func anOversizedMessageGetsAnErrorThenAPolicyClose() async throws {
        try await greeter.withApp { http, port in
            let socket = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            socket.call(1, "startGreeting", ["person": .string(String(repeating: "x", count: 17_000)), "total": 1])
            let refused = try await socket.first("the refusal") { $0["error"] != nil }
            #expect(code(refused) == "message_too_large")
            #expect(try await socket.waitForEnd() == .init(code: 1008, reason: refused["error"]?["code"]?.stringValue ?? ""))
            #expect(try await greeter.server.redisClient().command("DBSIZE").int == 0, "nothing was started")
        }
    }

    /// RFC 6455 asks the receiver to close on frames that break the protocol (1002) and on a text
    /// message that is not UTF-8 (1007). Bad bytes in a binary message are the call's problem.
    @Test func brokenFramesCloseTheSocketWithTheRFCCode() async throws {
        try await greeter.withApp { http, port in
            let cookie = try await visitorCookie(http)
            let cases: [(String, [(UInt8, [UInt8], Bool)], Int)] = [
                ("a continuation with no message", [(0x0, Array(#"{"id":1}"#.utf8), true)], 1002),
                ("a new message inside a fragmented one", [(0x1, Array(#"{"id":"#.utf8), false), (0x1, Array("1}".utf8), true)], 1002),
                ("a text message that is not UTF-8", [(0x1, [0x7B, 0xC3, 0x28, 0x7D], true)], 1007),
                ("invalid UTF-8 split across frames", [(0x1, [0x22, 0xE2, 0x82], false), (0x0, [0x28, 0x22], true)], 1007),
            ]
            for (what, frames, expected) in cases {
                let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
                _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
                for (opcode, payload, fin) in frames { socket.sendFrame(opcode: opcode, payload, fin: fin) }
                #expect(try await socket.waitForEnd().code == expected, "\(what)")
            }

            let binary = try await SocketTestClient.connect(port: port, cookie: cookie)
            _ = try await binary.first("the snapshot") { $0["event"] == "snapshot" }
            binary.sendFrame(opcode: 0x2, [0xFF, 0xFE])
            let refused = try await binary.first("the answer to a binary message that is not text") { $0["error"] != nil }
            #expect(code(refused) == "bad_message")
            binary.call(7, "myJobs")
            #expect(try await binary.answer(7)["result"] == .array([]), "the socket is still open")
        }
    }

    /// One cookie may hold 16 sockets; the 17th gets an error, then a policy close, and a socket
    /// closed frees its place.
    @Test func aVisitorMayHoldSixteenSockets() async throws {
        try await greeter.withApp { http, port in
            let cookie = try await visitorCookie(http)
            var open: [SocketTestClient] = []
            for _ in 1...16 {
                let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
                _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
                open.append(socket)
            }
            let extra = try await SocketTestClient.connect(port: port, cookie: cookie)
            let refused = try await extra.first("the refusal") { $0["error"] != nil }
            #expect(code(refused) == "too_many_sockets")
            #expect(try await extra.waitForEnd() == .init(code: 1008, reason: "too_many_sockets"))

            // Another visitor is not affected, and a closed socket frees a place.
            let other = try await SocketTestClient.connect(port: port, cookie: try await visitorCookie(http))
            _ = try await other.first("another visitor's snapshot") { $0["event"] == "snapshot" }
            open[0].close()
            _ = try await open[0].waitForEnd()
            try await Eventually.wait("a place freed for the visitor", timeout: 10) {
                let again = try await SocketTestClient.connect(port: port, cookie: cookie)
                defer { again.close() }
                let first = try await again.first("a snapshot or a refusal") { $0["event"] == "snapshot" || $0["error"] != nil }
                return first["event"] == "snapshot"
            }
            for socket in open { socket.close() }
        }
    }

    @Test func anotherOriginOrNoCookieIsRefused() async throws {
        try await greeter.withApp { http, port in
            let cookie = try await visitorCookie(http)
            // Cross-site WebSocket hijacking: a page elsewhere opens our socket with the visitor's cookie.
            for origin in ["http://evil.example", "http://127.0.0.1:\(port + 1)", "https://127.0.0.1:\(port)", "null"] {
                await #expect(throws: WebSocketWire.Refused.self, "\(origin)") {
                    _ = try await SocketTestClient.connect(port: port, cookie: cookie, origin: origin)
                }
            }
            do {
                _ = try await SocketTestClient.connect(port: port, cookie: cookie, origin: "http://evil.example")
            } catch let refused as WebSocketWire.Refused {
                // hummingbird-websocket answers every refused upgrade so, and closes the connection.
                #expect(refused.status == 400)
            }
            await #expect(throws: WebSocketWire.Refused.self, "no cookie, no socket") {
                _ = try await SocketTestClient.connect(port: port, cookie: nil)
            }
            await #expect(throws: WebSocketWire.Refused.self, "a forged cookie, no socket") {
                _ = try await SocketTestClient.connect(port: port, cookie: cookie + "0")
            }

            // Our own origin is welcome, and so is a client that sends none (not a browser).
            let own = try await SocketTestClient.connect(port: port, cookie: cookie)
            _ = try await own.first("the snapshot") { $0["event"] == "snapshot" }
            let script = try await SocketTestClient.connect(port: port, cookie: cookie, origin: nil)
            _ = try await script.first("the snapshot") { $0["event"] == "snapshot" }

            // Without the upgrade, /ws says why there is no socket: 403 and the reason, or 426.
            let foreign = try await RealClient.curl(["-H", "Cookie: \(cookie)", "-H", "Origin: http://evil.example", "http://127.0.0.1:\(port)/ws"])
            #expect(foreign.status == 403)
            #expect(foreign.body.contains("another origin"))
            #expect(try await http.get("/ws").status == 403, "no cookie")
            #expect(try await HTTPTestClient(base: http.base, cookie: cookie).get("/ws").status == 426)
        }
    }

    /// A socket opened while the greeter has never reached Redis gets its snapshot as soon as
    /// Redis is up (the first subscription counts as a reconnection).
    @Test func aSocketOpenedBeforeRedisWasEverReachedGetsItsSnapshotWhenItIs() async throws {
        let redisPort = try FreePort.find()
        let client = PetalClient(redis: RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: redisPort)), poolSize: 2))
        try await GreeterHarness.run(client: client, waitForRedis: false) { http, port in
            let cookie = try await visitorCookie(http)  // a first visit to /jobs needs no Redis
            let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
            // Calls are read once the socket has tried its snapshot: this answer says it has.
            socket.call(1, "myJobs")
            #expect(code(try await socket.answer(1, timeout: 30)) == "unavailable")
            #expect(!socket.received.contains { $0["event"] == "snapshot" })

            let redis = try RedisServer(port: redisPort)
            defer { redis.stop() }
            let snapshot = try await socket.first("the snapshot once Redis is up", timeout: 60) { $0["event"] == "snapshot" }
            #expect(snapshot["jobs"] == .array([]))
            socket.call(2, "startGreeting", ["person": "Late", "total": 1])
            let id = try #require(try await socket.answer(2)["result"]?["id"]?.stringValue)
            _ = try await socket.first("the new job's push") { $0["event"] == "job" && $0["job"]?["id"] == .string(id) }
        }
    }
    /// A job revoked while running is "cancelled" in its push, its status, the event stream and
    /// the snapshots, and every job object pushed carries a `status`.
    @Test func aJobRevokedWhileRunningIsCancelledEverywhereAndEveryPushHasAStatus() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { http, port in
            let cookie = try await visitorCookie(http)
            let stream = try EventStreamReader(port: port, path: "/jobs/events", cookie: cookie)
            try await Eventually.wait("the stream's snapshot") { stream.received().contains("event: snapshot") }
            let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            socket.call(1, "startGreeting", ["person": "Stopped", "total": 100])
            let id = try #require(try await socket.answer(1)["result"]?["id"]?.stringValue)
            _ = try await socket.first("a PROGRESS push", timeout: 30) { $0["event"] == "job" && $0["job"]?["state"] == "PROGRESS" }
            socket.call(2, "revokeJob", ["id": .string(id)])
            #expect(try await socket.answer(2)["result"]?["outcome"] == "running")

            let cancelled: JSONValue = "This job was cancelled."
            let push = try await socket.first("the REVOKED push", timeout: 30) { $0["event"] == "job" && $0["job"]?["state"] == "REVOKED" }
            #expect(push["job"]?["error"] == cancelled)
            #expect(push["job"]?["status"] == cancelled)
            socket.call(3, "jobStatus", ["id": .string(id)])
            let status = try await socket.answer(3)
            #expect(status["result"]?["error"] == cancelled && status["result"]?["status"] == cancelled, "\(status)")
            let pushes = socket.received.filter { $0["event"] == "job" }.compactMap { $0["job"] }
            #expect(!pushes.isEmpty && pushes.allSatisfy { ($0["status"]?.stringValue ?? "").isEmpty == false }, "\(pushes)")

            try await Eventually.wait("the stream's REVOKED event") { stream.received().contains("\"error\":\"This job was cancelled.\"") }
            #expect(!stream.received().contains("revoked while running"), "one wording")
            let again = try EventStreamReader(port: port, path: "/jobs/events", cookie: cookie)
            try await Eventually.wait("a new stream's snapshot") { again.received().contains("event: snapshot") && again.received().contains(id) }
            let rows = try Self.snapshotRows(again.received())
            #expect(rows.first { $0["id"] == .string(id) }?["status"] == cancelled, "\(rows)")
        }
    }

    /// The rows of the first `event: snapshot` in a Server-Sent Events text.
    static func snapshotRows(_ text: String) throws -> [JSONValue] {
        let event = try #require(text.range(of: "event: snapshot\ndata: "))
        let line = text[event.upperBound...].prefix { $0 != "\n" }
        return try JSONValue(parsing: String(line)).arrayValue ?? []
    }
    /// A malformed upgrade is answered, not dropped: 426 naming version 13 for another version,
    /// 400 for a missing or doubled key or version; a plain GET's 426 names the upgrade it wants.
    @Test func malformedUpgradesGet400Or426() async throws {
        try await greeter.withApp { http, port in
            let cookie = try await visitorCookie(http)
            let key = "dGhlIHNhbXBsZSBub25jZQ=="
            func upgrade(_ lines: [String]) async throws -> String {
                let head = ["GET /ws HTTP/1.1", "Host: 127.0.0.1:\(port)", "Cookie: \(cookie)", "Upgrade: websocket", "Connection: Upgrade"] + lines
                return try await WireHTTP.raw(port: port, Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8))
            }
            func header(_ reply: String, _ name: String) -> String? {
                reply.components(separatedBy: "\r\n\r\n").first?.components(separatedBy: "\r\n")
                    .first { $0.lowercased().hasPrefix(name + ":") }
                    .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
            }
            let version8 = try await upgrade(["Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 8"])
            #expect(WireHTTP.status(of: version8) == 426, "\(version8.prefix(300))")
            #expect(header(version8, "sec-websocket-version") == "13")
            #expect(header(version8, "upgrade") == "websocket")
            let malformed: [(String, [String])] = [
                ("no key", ["Sec-WebSocket-Version: 13"]),
                ("no version", ["Sec-WebSocket-Key: \(key)"]),
                ("neither", []),
                ("two keys", ["Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13"]),
            ]
            for (what, lines) in malformed {
                let reply = try await upgrade(lines)
                #expect(WireHTTP.status(of: reply) == 400, "\(what): \(reply.prefix(300))")
            }
            let plain = try await RealClient.curl(["-H", "Cookie: \(cookie)", "http://127.0.0.1:\(port)/ws"])
            #expect(plain.status == 426)
            #expect(plain.headers["upgrade"] == "websocket", "RFC 9110: a 426 says which upgrade")
            // A sound upgrade is as welcome as ever.
            let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
        }
    }
}
