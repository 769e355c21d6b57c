import Foundation
import Greeter
import Petal
import PetalTestSupport

/// The greeter's web app in-process on a free port, until `body` returns.
enum GreeterHarness {
    /// `waitForRedis` false: the app is ready when it answers at all (a test of Redis being away).
    static func run(client: PetalClient, allowedHosts: [String] = [], waitForRedis: Bool = true,
                    _ body: (HTTPTestClient, Int) async throws -> Void) async throws {
        let templates = PetalBinary.root.appendingPathComponent("Templates").path
        let statics = PetalBinary.root.appendingPathComponent("Static").path
        let (port, running) = try await InProcessServer.start(run: { port in
            let configuration = GreeterConfiguration(port: port, templatesDirectory: templates, staticDirectory: statics,
                                                     cookieSecret: "test-secret", allowedHosts: allowedHosts)
            try await buildGreeterApplication(configuration: configuration, client: client).runService()
        }, isReady: { port in
            let status = try await WireHTTP.exchange(port: port, path: "/healthz", timeout: 10).status
            return waitForRedis ? status == 200 : status > 0
        })
        defer { running.cancel() }
        let http = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        try await body(http, port)
    }
}
