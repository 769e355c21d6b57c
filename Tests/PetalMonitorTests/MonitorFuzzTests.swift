import Foundation
import Synchronization
import Petal
import PetalTestSupport
import PropertyBased
import Testing

/// Generated hostile requests against a running monitor with a worker and jobs in it: whatever the
/// query, path or body, the answer is a page or a 4xx with a message, never a 5xx, and the monitor
/// keeps answering. Requests go out as raw bytes, so nothing on the client side "fixes" them.
@Suite("Monitor fuzz", .serialized)
struct MonitorFuzzTests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    static let pages = ["/", "/tasks", "/queues", "/api/tasks", "/api/workers", "/api/queues/length", "/api/task/types", "/metrics",
                        "/processes", "/workers"]
    static let parameters = ["limit", "offset", "sort_by", "sort", "order", "workername", "taskname", "state", "received_start",
                             "received_end", "search", "queue", "refresh", "status", "notice", "problem", "timeout"]
    static let itemPaths = ["/task/", "/worker/", "/queues/", "/api/task/info/", "/api/task/result/"]
    static let postPaths = ["/api/task/send-task/", "/api/task/async-apply/", "/api/task/revoke/", "/api/task/abort/",
                            "/api/task/timeout/", "/api/worker/pool/grow/", "/api/worker/pool/autoscale/", "/api/worker/queue/add-consumer/"]

    /// A GET of a page with one to four hostile parameters.
    static let pageRequest = Generator<String, Shrink.None<String>>(run: { rng in
        let query = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
            parameters.randomElement(using: &rng)! + "=" + HostileInput.queryValue.run(using: &rng)
        }.joined(separator: "&")
        return "GET \(pages.randomElement(using: &rng)!)?\(query)"
    })

    /// A GET of one item (task, worker, queue) by a hostile name.
    static let itemRequest = Generator<String, Shrink.None<String>>(run: { rng in
        "GET \(itemPaths.randomElement(using: &rng)!)\(HostileInput.pathSegment.run(using: &rng))?timeout=\(HostileInput.queryValue.run(using: &rng))"
    })

    @Test func hostileQueriesAndPathsNeverGetA5xx() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1, queues: ["default", "video.hi-res_2"])
        defer { worker.stop() }
        for task in ["add", "fail", "hello"] { try await harness.client.enqueue(EnqueueRequest(task: task, args: [1, 2])) }
        try await harness.run { session async throws in
            let seen = StatusTally()
            for generator in [Self.pageRequest, Self.itemRequest] {
                await propertyCheck(count: 150, input: generator) { line in
                    let status = try await Self.send(line, port: session.port)
                    seen.add(status)
                    #expect((200..<500).contains(status), "\(line.prefix(300)) → \(status)")
                }
            }
            // The generated requests reach the handlers: some are answered, some refused with a message.
            #expect(seen.count(200) > 10 && seen.count(400) > 10 && seen.count(404) > 10, "\(seen.all)")
            #expect(try await session.http.get("/healthcheck").status == 200)
        }
    }

    @Test func hostileBodiesNeverGetA5xx() async throws {
        let worker = try await WorkerProcess(redis: harness.server, name: nil, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session async throws in
            let names = Generator<String, Shrink.None<String>>(run: { rng in
                Bool.random(using: &rng) ? HostileInput.pathSegment.run(using: &rng)
                    : worker.name.addingPercentEncoding(withAllowedCharacters: HostileInput.asciiAlphanumerics)!
            })
            let seen = StatusTally()
            await propertyCheck(count: 150, input: Gen.element(of: Self.postPaths), names, HostileInput.jsonText) { path, name, body in
                let line = "POST \(path ?? "/")\(name)"
                let status = try await Self.send(line, port: session.port, body: body)
                seen.add(status)
                #expect((200..<500).contains(status), "\(line) \(body.prefix(200)) → \(status)")
            }
            #expect(seen.count(400) > 10 && seen.count(404) > 10, "\(seen.all)")
            #expect(try await harness.client.worker(worker.name)?.online == true, "the worker took every generated control")
            #expect(try await session.http.get("/healthcheck").status == 200)
        }
    }

    /// One request as raw bytes ("METHOD target" and an optional JSON body); the answer's status.
    static func send(_ line: String, port: Int, body: String? = nil) async throws -> Int {
        var request = "\(line) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        return WireHTTP.status(of: try await WireHTTP.raw(port: port, Array(request.utf8)))
    }
}

/// How often each status came back.
final class StatusTally: Sendable {
    private let counts = Mutex<[Int: Int]>([:])
    func add(_ status: Int) { counts.withLock { $0[status, default: 0] += 1 } }
    func count(_ status: Int) -> Int { counts.withLock { $0[status] ?? 0 } }
    var all: [Int: Int] { counts.withLock { $0 } }
}
