import Foundation
import Glibc
import Petal
import PetalSystem
import PetalTestSupport
import Testing

/// How `/ws` ends when the other side goes: a client that half-closes mid-call, and the
/// `greeter web` process stopped with SIGTERM (a real process, a real Redis).
@Suite("Greeter WebSocket endings", .serialized)
struct GreeterSocketClosingTests {
    let greeter: GreeterTests

    init() throws { greeter = try GreeterTests() }

    /// A client that is done sending (TCP half-close) while a call is in flight gets a normal
    /// close, not 1011 (a server error).
    @Test func aClientThatHalfClosesMidCallGetsANormalClose() async throws {
        try await greeter.withApp { http, port in
            let visitor = http.keepingCookie(from: try await http.get("/jobs"))
            let cookie = try #require(visitor.cookie)
            // No worker: the job waits, and so does the call.
            let location = try #require(try await visitor.post("/greet", form: ["person": "Half", "total": "1"]).header("Location"))
            let id = String(location.dropFirst("/wait/".count))
            let call = JSONValue.object(["id": 1, "call": "waitForJob", "args": ["id": .string(id), "timeout": 5]]).jsonText
            let outcome = try await HalfClosingSocket.run(port: port, cookie: cookie, awaitBeforeSending: 1, messages: [call])
            #expect(outcome.closeCode == 1000 || outcome.closeCode == 1001, "close code \(outcome.closeCode.map(String.init) ?? "none"): \(outcome.texts)")
        }
    }

    /// SIGTERM: every open socket is closed with 1001 (going away) before the process exits.
    @Test func sigtermClosesSocketsWithGoingAway() async throws {
        let port = try FreePort.find()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("greeter-web-\(port).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let output = open(log, O_WRONLY | O_APPEND)
        defer { close(output) }
        var environment = ProcessInfo.processInfo.environment
        environment["GREETER_SECRET"] = String(repeating: "s", count: 40)
        let web = try ChildProcess.spawn(executable: try PetalBinary.path("greeter"),
                                          arguments: ["web", "--redis", greeter.server.url, "--port", String(port)],
                                          environment: environment, descriptors: [1: output, 2: output])
        defer { _ = web.stop(grace: 5) }
        let http = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        try await Eventually.wait("greeter web answering", timeout: 30) { (try? await http.get("/healthz"))?.status == 200 }
        let cookie = try #require(http.keepingCookie(from: try await http.get("/jobs")).cookie)
        var sockets: [SocketTestClient] = []
        for _ in 1...3 {
            let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
            _ = try await socket.first("the snapshot") { $0["event"] == "snapshot" }
            sockets.append(socket)
        }

        #expect(web.signal(SIGTERM))
        for socket in sockets {
            let end = try await socket.waitForEnd(timeout: 30)
            #expect(end.code == 1001, "\(end) — log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        try await Eventually.wait("greeter web exiting", timeout: 30) { web.poll() != nil }
    }
}
