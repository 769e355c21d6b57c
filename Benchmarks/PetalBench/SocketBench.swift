import Foundation
import Petal
import PetalHarness
import PetalRedis
import PetalSystem

/// The greeter's `/ws` (issue 15): `jobStatus` round trips over one socket and over 100 (of 100
/// visitors), and job notices pushed while 200 jobs report progress. The greeter web and worker are
/// the release executables in processes of their own; the clients here share the machine's two cores.
struct SocketBench {
    let greeterPath: String
    let redisURL: String
    let client: PetalClient
    var seconds = 5.0

    func run() async throws -> String {
        let greeter = try await GreeterProcesses(greeterPath: greeterPath, redisURL: redisURL, concurrency: 4, workerName: "socket-bench")
        defer { greeter.stop() }
        let port = greeter.port
        // A socket per visitor, as browsers would open them (the greeter caps sockets per visitor).
        var visitors: [Visitor] = []
        for _ in 0..<100 { visitors.append(try await Visitor.arrive(port: port, client: client)) }
        let first = visitors[0]
        var lines: [String] = []

        let one = try await RoundTrips.measure(port: port, visitors: [first], window: 1, seconds: seconds, server: greeter.web.pid)
        lines.append("greeter /ws jobStatus, 1 socket, 1 call at a time:    \(one)")
        let windowed = try await RoundTrips.measure(port: port, visitors: [first], window: 16, seconds: seconds, server: greeter.web.pid)
        lines.append("greeter /ws jobStatus, 1 socket, 16 calls in flight:  \(windowed)")
        let hundred = try await RoundTrips.measure(port: port, visitors: visitors, window: 1, seconds: seconds, server: greeter.web.pid)
        lines.append("greeter /ws jobStatus, 100 sockets of 100 visitors, 1 call each: \(hundred)")
        let (cookie, visitor) = (first.cookie, first.id)

        let client = self.client
        let running = try await PushCount.measure(port: port, cookie: cookie, client: client, visitor: visitor, sockets: 10, jobs: 200) {
            _ = try await client.enqueue(many: (0..<200).map { _ in
                EnqueueRequest(task: "progress", args: [10, 0.02], group: visitor)
            })
        }
        lines.append("greeter /ws pushes, 200 progress jobs (10 steps of 20 ms, worker -c 4), 10 sockets of the visitor:\n   \(running)")
        let flood = try await PushCount.measure(port: port, cookie: cookie, client: client, visitor: visitor, sockets: 10, jobs: 200) {
            try await PushCount.publishDirectly(redis: try RedisClient(url: redisURL, poolSize: 1), keys: client.keys, visitor: visitor,
                                                jobs: 200, steps: 100)
        }
        lines.append("greeter /ws pushes, 200 jobs x 100 progress notices published as fast as Redis takes them, 10 sockets:\n   \(flood)")
        lines.append("greeter web resident memory after all of it: \(Self.residentMegabytes(greeter.web.pid)) MB")
        return lines.joined(separator: "\n")
    }

    /// VmRSS of a process, in MB (a socket that kept what it answered would show here).
    static func residentMegabytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }
}

/// A visitor of the greeter: the cookie its first visit was given, and a job of its own to ask about.
struct Visitor: Sendable {
    let cookie: String
    let id: String
    /// `jobStatus` of the visitor's job.
    let call: String

    /// A first GET /jobs (which sets the cookie `greeter_visitor=<id>.<signature>`) and a job in the visitor's group.
    static func arrive(port: Int, client: PetalClient) async throws -> Visitor {
        let reply = try await WireHTTP.exchange(port: port, path: "/jobs")
        guard let line = reply.headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie:") }),
              let pair = line.dropFirst("set-cookie:".count).split(separator: ";").first else {
            throw BenchError("no visitor cookie from /jobs")
        }
        let cookie = pair.trimmingCharacters(in: .whitespaces)
        let id = String(cookie.dropFirst("greeter_visitor=".count).prefix { $0 != "." })
        let job = try await client.enqueue(EnqueueRequest(task: "noop", group: id))
        return Visitor(cookie: cookie, id: id, call: #"{"id":1,"call":"jobStatus","args":{"id":"\#(job)"}}"#)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` on a thread of its own (blocking socket I/O stays off the cooperative pool).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Calls answered per second and their latency: a socket per visitor, `window` calls in flight on each.
enum RoundTrips {
    /// Also says how much CPU the server (`server`, a pid) spent per call: a figure the other
    /// processes sharing the two cores disturb far less than the rate.
    static func measure(port: Int, visitors: [Visitor], window: Int, seconds: Double, server: pid_t) async throws -> String {
        let cpuBefore = cpuSeconds(server)
        let start = Date()
        let end = start.addingTimeInterval(seconds)
        let perSocket = try await withThrowingTaskGroup(of: [Double].self) { group in
            for visitor in visitors {
                group.addTask {
                    try await onThread { try roundTrips(port: port, cookie: visitor.cookie, window: window, call: visitor.call, until: end) }
                }
            }
            return try await group.reduce(into: [[Double]]()) { $0.append($1) }
        }
        let elapsed = Date().timeIntervalSince(start)
        let all = perSocket.flatMap { $0 }.sorted()
        guard !all.isEmpty else { return "no answers" }
        func percentile(_ p: Double) -> Double { all[min(all.count - 1, Int(Double(all.count) * p))] * 1000 }
        let cpuPerCall = (cpuSeconds(server) - cpuBefore) / Double(all.count) * 1_000_000
        return String(format: "%8.0f calls/s (%d calls in %.1f s), latency p50 %.2f ms, p99 %.2f ms, server CPU %.0f µs/call",
                      Double(all.count) / elapsed, all.count, elapsed, percentile(0.5), percentile(0.99), cpuPerCall)
    }

    /// User + system CPU seconds a process has used (/proc/<pid>/stat fields 14 and 15).
    static func cpuSeconds(_ pid: pid_t) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: field 3 (state) is fields[0], so utime (14) and stime (15) are [11] and [12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// One socket: keeps `window` calls in flight until `end`, returns each call's seconds.
    private static func roundTrips(port: Int, cookie: String, window: Int, call: String, until end: Date) throws -> [Double] {
        var (writer, reader) = try WebSocketWire.open(port: port, headers: ["Cookie": cookie])
        defer { writer.close(); writer.shutdown() }
        var latencies: [Double] = []
        latencies.reserveCapacity(100_000)
        // The same call each time, so answers are matched oldest first.
        var sent: [UInt64] = []
        for _ in 0..<window {
            sent.append(DispatchTime.now().uptimeNanoseconds)
            try writer.send(text: call)
        }
        var head = 0
        while head < sent.count, case .text(let text)? = try reader.next() {
            guard text.hasPrefix(#"{"id":"#) else { continue }  // the snapshot, pushes
            let now = DispatchTime.now().uptimeNanoseconds
            latencies.append(Double(now - sent[head]) / 1e9)
            head += 1
            if Date() < end {
                sent.append(DispatchTime.now().uptimeNanoseconds)
                try writer.send(text: call)
            }
        }
        return latencies
    }
}

/// Job notices pushed to `sockets` sockets of one visitor while `produce` makes `jobs` jobs report
/// progress and end. A socket that falls behind gets the newest state of each job (NoticeInbox), so
/// it may get fewer pushes than notices were published; what must arrive is every job's end.
enum PushCount {
    static func measure(port: Int, cookie: String, client: PetalClient, visitor: String, sockets: Int, jobs: Int,
                        produce: @Sendable () async throws -> Void) async throws -> String {
        var connections: [(WebSocketWriter, WebSocketReader)] = []
        for _ in 0..<sockets {
            connections.append(try await onThread {
                var (writer, reader) = try WebSocketWire.open(port: port, headers: ["Cookie": cookie])
                while case .text(let text)? = try reader.next(), !text.hasPrefix(#"{"event":"snapshot""#) {}
                return (writer, reader)
            })
        }
        // What Redis carried on the visitor's channel, counted by a subscriber of our own.
        let published = client.notices(group: visitor)
        let counter = Task { () -> Int in
            var count = 0
            for await event in published { if case .notice = event { count += 1 } }
            return count
        }
        try await Task.sleep(for: .milliseconds(300))  // (the counter's SUBSCRIBE goes out on its own thread)
        let deadline = Date().addingTimeInterval(120)
        let start = Date()
        let counting = connections.map { writer, reader in
            Task {
                try await onThread { () -> (pushes: Int, ends: Int, last: Date) in
                    var reader = reader
                    var pushes = 0, ends = 0
                    var last = Date()
                    while ends < jobs, Date() < deadline, case .text(let text)? = try reader.next() {
                        guard text.hasPrefix(#"{"event":"job""#) else { continue }
                        pushes += 1
                        if text.contains(#""state":"SUCCESS""#) { ends += 1 }
                        last = Date()
                    }
                    return (pushes, ends, last)
                }
            }
        }
        try await produce()
        var results: [(pushes: Int, ends: Int, last: Date)] = []
        for task in counting { results.append((try? await task.value) ?? (0, 0, start)) }
        for (writer, _) in connections { writer.close(); writer.shutdown() }
        try await Task.sleep(for: .milliseconds(300))
        counter.cancel()
        let notices = await counter.value
        let pushes = results.reduce(0) { $0 + $1.pushes }
        let span = (results.map(\.last).max() ?? start).timeIntervalSince(start)
        return String(format: "%7.0f pushes/s delivered (%d pushes to %d sockets in %.1f s; %d notices published, %.0f/s; every job's end reached %d of %d sockets)",
                      Double(pushes) / span, pushes, sockets, span, notices, Double(notices) / span,
                      results.filter { $0.ends == jobs }.count, sockets)
    }

    /// 200 jobs' worth of notices as the scripts publish them (PENDING, `steps` progress reports,
    /// SUCCESS), sent by the bench as fast as Redis takes them: what the sockets can carry.
    static func publishDirectly(redis: RedisClient, keys: Keys, visitor: String, jobs: Int, steps: Int) async throws {
        let channel = RedisArgument(keys.groupChannel(visitor))
        func notice(_ job: Int, _ state: JobState, _ current: Int) -> [RedisArgument] {
            let notice = JobNotice(id: "bench-\(job)", task: "progress", state: state, group: visitor, time: 1,
                                   current: Double(current), total: Double(steps))
            return ["PUBLISH", channel, RedisArgument(notice.json)]
        }
        var commands = (0..<jobs).map { notice($0, .pending, 0) }
        for step in 1...steps { commands += (0..<jobs).map { notice($0, .progress, step) } }
        commands += (0..<jobs).map { notice($0, .success, steps) }
        var start = 0
        while start < commands.count {
            _ = try await redis.pipeline(Array(commands[start..<min(start + 1000, commands.count)]))
            start += 1000
        }
    }
}
