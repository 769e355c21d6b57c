import Foundation
import Petal
import PetalHarness
import PetalRedis
import PetalSystem

/// `--sections tls`: the same work over plaintext and over TLS, against one redis-server that
/// listens on both (`--port` and `--tls-port`, with a CA and certificate made here with openssl),
/// in one run. Each figure is measured plaintext then TLS, twice, and the better of each is kept,
/// so a noisy moment on a shared machine does not decide the comparison.
struct TLSBench {
    let petalPath: String
    let jobs: Int

    /// One way of reaching the server: its URL, the settings every program is given, a Petal
    /// client and a plain one (FLUSHALL).
    struct Route {
        let name: String
        let url: String
        let flags: [String]
        let client: PetalClient
        let redis: RedisClient
    }

    func run() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-bench-tls-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.makeCertificates(in: directory)
        let server = try RedisServer(tls: .init(certificate: directory + "/server.pem", key: directory + "/server.key", ca: directory + "/ca.pem"))
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: server.directory)
        }

        // Both routes are parsed the way every program parses its settings (RedisSettings).
        let flags = ["--redis-tls-ca", directory + "/ca.pem"]
        var routes: [Route] = []
        for (name, url, routeFlags) in [("plaintext", server.url, [String]()), ("TLS", server.tlsURL, flags)] {
            var configuration = try RedisSettings(url: url, tlsCA: routeFlags.isEmpty ? nil : directory + "/ca.pem").configuration()
            configuration.commandTimeout = 60
            routes.append(Route(name: name, url: url, flags: routeFlags, client: PetalClient(configuration: configuration, poolSize: 4),
                                redis: RedisClient(configuration: configuration, poolSize: 1)))
        }

        var best: [String: [String: Double]] = [:]
        func keep(_ figure: String, _ route: Route, _ value: Double) {
            best[figure, default: [:]][route.name] = max(best[figure]?[route.name] ?? 0, value)
        }
        for _ in 0..<2 {
            for route in routes {
                keep("enqueue, one at a time (10000)", route, try await enqueueSingle(route, count: 10_000))
                keep("enqueue, pipelined (\(jobs))", route, try await enqueuePipelined(route, count: jobs))
                for concurrency in [2, 4] {
                    keep("end to end, concurrency \(concurrency) (\(jobs))", route, try await endToEnd(route, count: jobs, concurrency: concurrency))
                }
            }
        }
        var lines = ["TLS beside plaintext (one redis-server on both ports; better of two runs each; jobs/s):"]
        for figure in ["enqueue, one at a time (10000)", "enqueue, pipelined (\(jobs))",
                       "end to end, concurrency 2 (\(jobs))", "end to end, concurrency 4 (\(jobs))"] {
            let plain = best[figure]?["plaintext"] ?? 0, tls = best[figure]?["TLS"] ?? 0
            let change = plain > 0 ? (tls / plain - 1) * 100 : 0
            let label = (figure + ":").padding(toLength: 38, withPad: " ", startingAt: 0)
            lines.append("  " + label + String(format: "plaintext %8.0f   TLS %8.0f   (%+.1f %%)", plain, tls, change))
        }
        for route in routes {
            route.client.shutdown()
            route.redis.shutdown()
        }
        return lines.joined(separator: "\n")
    }

    private func enqueueSingle(_ route: Route, count: Int) async throws -> Double {
        try await route.redis.command("FLUSHALL")
        let start = Clock.now()
        for _ in 0..<count { try await route.client.enqueue(EnqueueRequest(task: "noop")) }
        return Double(count) / (Clock.now() - start)
    }

    private func enqueuePipelined(_ route: Route, count: Int) async throws -> Double {
        try await route.redis.command("FLUSHALL")
        let start = Clock.now()
        try await route.client.enqueueNoops(count)
        return Double(count) / (Clock.now() - start)
    }

    /// A worker on the route enqueued-to and drained, from the first enqueue to the last job done.
    private func endToEnd(_ route: Route, count: Int, concurrency: Int) async throws -> Double {
        try await route.redis.command("FLUSHALL")
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = "warning"
        let name = "bench-tls-\(concurrency)"
        let worker = try ChildProcess.spawn(executable: petalPath,
                                            arguments: ["worker", "--redis", route.url, "--name", name, "--concurrency", String(concurrency),
                                                        "--retention-count", "1000000"] + route.flags,
                                            environment: environment, newProcessGroup: true)
        defer { worker.stop(grace: 10); kill(-worker.pid, SIGKILL) }
        var ready = false
        for _ in 0..<400 where !ready {
            ready = try await route.client.worker(name)?.children.count == concurrency
            if !ready { try await Task.sleep(for: .milliseconds(25)) }
        }
        guard ready else { throw SystemError("the \(route.name) worker did not come online") }
        let start = Clock.now()
        try await route.client.enqueueNoops(count)
        while try await route.client.totals().processed < count { try await Task.sleep(for: .milliseconds(20)) }
        return Double(count) / (Clock.now() - start)
    }

    /// A CA and a certificate for 127.0.0.1 signed by it (P-256 keys: quick to make).
    private static func makeCertificates(in directory: String) throws {
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509"] + key + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=Petal bench CA"],
            ["req"] + key + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
             "-days", "1", "-extfile", "server.ext"],
        ]
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        for step in steps {
            let process = try ChildProcess.spawn(executable: "/usr/bin/openssl", arguments: step.map { $0.hasSuffix(".key") || $0.hasSuffix(".pem")
                || $0.hasSuffix(".csr") || $0.hasSuffix(".ext") ? directory + "/" + $0 : $0 },
                                                 environment: ProcessInfo.processInfo.environment, descriptors: [1: devNull, 2: devNull])
            guard process.wait() == .exited(0) else { throw SystemError("openssl \(step.first ?? "") failed: cannot make the bench's certificates") }
        }
    }
}
