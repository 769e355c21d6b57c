import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Every program against a Redis that takes only mutual TLS: the worker and its children, the
/// greeter's worker, the CLI, the monitor and the greeter's web app, with the settings as flags and
/// as environment variables.
@Suite("Every program over rediss://", .serialized)
struct TLSProgramsTests {
    let certificates: TestCertificates
    let server: RedisServer

    init() throws {
        certificates = try TestCertificates.shared()
        server = try RedisServer(tls: .init(certificate: certificates.serverCertificate, key: certificates.serverKey,
                                            ca: certificates.caFile, requireClientCertificate: true))
    }

    var flags: [String] {
        ["--redis-tls-ca", certificates.caFile, "--redis-tls-cert", certificates.clientCertificate, "--redis-tls-key", certificates.clientKey]
    }

    var variables: [String: String] {
        ["REDIS_URL": server.tlsURL, "REDIS_TLS_CA": certificates.caFile, "REDIS_TLS_CERT": certificates.clientCertificate,
         "REDIS_TLS_KEY": certificates.clientKey]
    }

    @Test func workersTheCLIAndBothWebAppsWorkOverMutualTLS() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 2, extraArguments: flags, redisURL: server.tlsURL)
        defer { worker.stop() }
        let greeterWorker = try await WorkerProcess(redis: server, program: "greeter", concurrency: 1, queues: ["greeter"],
                                                    environment: variables, redisURL: server.tlsURL)
        defer { greeterWorker.stop() }

        // The CLI, with flags: a job enqueued and its result read over TLS, run by a child over TLS.
        let call = try await PetalBinary.runOffThePool(["call", "add", "--args", "[2, 40]", "--redis", server.tlsURL] + flags)
        #expect(call.code == 0, "\(call.error)")
        let id = call.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await PetalBinary.runOffThePool(["result", id, "--wait", "30", "--redis", server.tlsURL] + flags)
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(result.error)")
        // The same settings from the environment.
        var environment = ProcessInfo.processInfo.environment
        environment.merge(variables) { $1 }
        let hello = try await PetalBinary.runOffThePool(["call", "hello", "--args", "[\"TLS\"]", "--queue", "greeter"], environment: environment)
        #expect(hello.code == 0, "\(hello.error)")
        let greeted = try await PetalBinary.runOffThePool(["result", hello.output.trimmingCharacters(in: .whitespacesAndNewlines), "--wait", "30"],
                                          environment: environment)
        #expect(greeted.output.contains("Hello, TLS!"), "the greeter's worker ran it: \(greeted.output) \(greeted.error)")
        // Without a client certificate the server refuses, and the CLI says why.
        let refused = try await PetalBinary.runOffThePool(["status", id, "--redis", server.tlsURL, "--redis-tls-ca", certificates.caFile])
        #expect(refused.code != 0)
        #expect(refused.error.contains("client certificate"), "\(refused.error)")

        let monitor = try await ServiceProcess(program: "petal", arguments: ["monitor", "--redis", server.tlsURL] + flags, healthPath: "/healthcheck")
        let health = try await monitor.http.get("/healthcheck")
        #expect(health.status == 200 && health.body.hasPrefix("OK\nredis: primary 127.0.0.1:\(server.tlsPort!)"), "\(health.body)")
        let dashboard = try await monitor.http.get("/")
        #expect(dashboard.body.contains(worker.name) && dashboard.body.contains("rediss://127.0.0.1:\(server.tlsPort!)"),
                "the dashboard shows each worker's Redis")
        let workerPage = try await monitor.http.get("/worker/\(worker.name)")
        #expect(workerPage.body.contains(ProcessInfo.processInfo.hostName) && workerPage.body.contains("rediss://127.0.0.1:\(server.tlsPort!)"))

        let greeter = try await ServiceProcess(program: "greeter", arguments: ["web"], environment: variables.merging(["GREETER_SECRET": String(repeating: "s", count: 40)]) { $1 },
                                               healthPath: "/healthz")
        let healthz = try await greeter.http.get("/healthz")
        #expect(healthz.status == 200, "\(healthz.body)")
        let fields = try JSONValue(parsing: healthz.body)
        #expect(fields["redis_role"] == "primary" && fields["redis_address"]?.stringValue == "127.0.0.1:\(server.tlsPort!)", "\(healthz.body)")
    }
}
