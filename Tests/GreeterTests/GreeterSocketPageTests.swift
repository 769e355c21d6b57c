import Foundation
import Petal
import PetalTestSupport
import Testing

/// `Static/socket.js` in headless Chromium against the in-process greeter and a real Redis: what
/// the page does when the server refuses it a socket, and how its calls keep within the server's
/// limits and waits.
@Suite("Greeter socket.js in Chromium", .serialized)
struct GreeterSocketPageTests {
    let greeter: GreeterTests

    init() throws { greeter = try GreeterTests() }

    /// What a page script set on `<body data-…>`, once it has.
    func bodyAttribute(_ browser: Browser, _ name: String, timeout: Double = 30) async throws -> String {
        try await Eventually.wait("body[\(name)]", timeout: timeout) { try await browser.count("body[\(name)]") == 1 }
        return try await browser.run("return document.body.getAttribute('\(name)')").stringValue ?? ""
    }

    /// A visitor's 17th page is refused a socket (1008 too_many_sockets): it does not try again,
    /// its list follows the event stream instead, and it says why.
    @Test func aPageRefusedASocketStopsTryingAndFollowsTheEventStream() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { http, port in
            try await Browser.session { browser in
                let base = "http://127.0.0.1:\(port)"
                try await browser.open(base + "/")  // sets the visitor cookie
                let cookie = "greeter_visitor=" + (try #require(try await browser.cookie("greeter_visitor")))
                try await browser.open(base + "/greeter.css")  // (leaving the page closes its socket)
                // The visitor's 16 sockets, held elsewhere (the last waits for the page's to be gone).
                var held: [SocketTestClient] = []
                defer { for socket in held { socket.close() } }
                for _ in 1...16 {
                    try await Eventually.wait("a socket", timeout: 15) {
                        let socket = try await SocketTestClient.connect(port: port, cookie: cookie)
                        let first = try await socket.first("a snapshot or a refusal") { $0["event"] == "snapshot" || $0["error"] != nil }
                        if first["event"] == "snapshot" { held.append(socket) } else { socket.close() }
                        return first["event"] == "snapshot"
                    }
                }

                try await browser.open(base + "/jobs")
                try await Eventually.wait("the list following the event stream", timeout: 20) {
                    try await browser.count("#live-status[data-transport='event-stream'][data-fallback='too_many_sockets'][data-connected='true']") == 1
                }
                #expect(try await browser.text("#live-status")?.contains("too many tabs") == true)
                // From here on, count the page's attempts to open a socket.
                try await browser.run("""
                    var Original = window.WebSocket;
                    window.socketAttempts = 0;
                    window.WebSocket = function (url) { window.socketAttempts++; return new Original(url); };
                    """)
                let visitor = HTTPTestClient(base: http.base, cookie: cookie)
                let location = try #require(try await visitor.post("/greet", form: ["person": "Tabs", "total": "2"]).header("Location"))
                let id = String(location.dropFirst("/wait/".count))
                try await Eventually.wait("the row reaching SUCCESS over the stream", timeout: 30) {
                    try await browser.text("#jobs tr[data-id='\(id)'] .state") == "SUCCESS"
                }
                #expect(try await browser.run("return window.socketAttempts") == 0, "a refused page does not hammer the server")
                try await browser.run("""
                    GreeterSocket.call("myJobs").catch(function (error) { document.body.setAttribute("data-refused", error.code); });
                    """)
                #expect(try await bodyAttribute(browser, "data-refused") == "too_many_sockets", "a call says why it cannot be made")
            }
        }
    }
    /// The server closes a socket with a 17th unanswered call: socket.js keeps at most 16 on the
    /// wire, whether the calls are made while it is open or queued while it reconnects.
    @Test func fortyCallsAtOnceAreAllAnsweredOpenOrReconnecting() async throws {
        try await greeter.withApp { _, port in
            try await Browser.session { browser in
                try await browser.open("http://127.0.0.1:\(port)/jobs")
                try await Eventually.wait("the socket") {
                    try await browser.count("#live-status[data-connected='true'][data-transport='websocket']") == 1
                }
                try await browser.run("""
                    GreeterSocket.call("startGreeting", {person: "Forty", total: 1}).then(function (job) {
                      window.jobId = job.id;
                      var calls = [];
                      for (var i = 0; i < 40; i++) { calls.push(GreeterSocket.call("jobStatus", {id: job.id})); }
                      return Promise.all(calls);
                    }).then(function (jobs) {
                      document.body.setAttribute("data-open", jobs.filter(function (job) { return job.id === window.jobId; }).length);
                    }, function (error) { document.body.setAttribute("data-open", "failed: " + error.code); });
                    """)
                #expect(try await bodyAttribute(browser, "data-open") == "40")

                // A message over 16 KiB makes the server close the socket (1008); the 40 calls
                // made as it closes wait for the next socket.
                try await browser.run("""
                    var queued = false;
                    GreeterSocket.on("close", function () {
                      if (queued) { return; }
                      queued = true;
                      var calls = [];
                      for (var i = 0; i < 40; i++) { calls.push(GreeterSocket.call("jobStatus", {id: window.jobId})); }
                      Promise.all(calls).then(function (jobs) { document.body.setAttribute("data-reconnected", String(jobs.length)); },
                                              function (error) { document.body.setAttribute("data-reconnected", "failed: " + error.code); });
                    });
                    GreeterSocket.call("myJobs", {padding: new Array(17001).join("x")}).catch(function (error) {
                      document.body.setAttribute("data-oversized", error.code);
                    });
                    """)
                #expect(try await bodyAttribute(browser, "data-oversized") == "disconnected")
                #expect(try await bodyAttribute(browser, "data-reconnected") == "40")
            }
        }
    }

    /// `waitForJob` with its defaults waits up to 30 s on the server: the page waits for that
    /// answer instead of giving up at its usual 10 s. (The job takes at least 12 s.)
    @Test func waitForJobWithItsDefaultsOutlastsTheUsualCallTimeout() async throws {
        let worker = try await greeter.worker()
        defer { worker.stop() }
        try await greeter.withApp { _, port in
            try await Browser.session { browser in
                try await browser.open("http://127.0.0.1:\(port)/jobs")
                try await Eventually.wait("the socket") { try await browser.count("#live-status[data-connected='true']") == 1 }
                try await browser.run("""
                    GreeterSocket.call("startGreeting", {person: "Patient", total: 24}).then(function (job) {
                      return GreeterSocket.call("waitForJob", {id: job.id});
                    }).then(function (job) { document.body.setAttribute("data-waited", job.state); },
                            function (error) { document.body.setAttribute("data-waited", "failed: " + error.code); });
                    """)
                let waited = try await bodyAttribute(browser, "data-waited", timeout: 90)
                #expect(!waited.hasPrefix("failed"), "\(waited)")
                #expect(JobState(rawValue: waited) != nil, "\(waited)")
            }
        }
    }
}
