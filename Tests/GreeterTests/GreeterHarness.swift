import Foundation
import Greeter
import Petal
import PetalTestSupport

/// The greeter's web app in-process on a free port, until `body` returns.
enum GreeterHarness {
    /// `waitForRedis` false: the app is ready when it answers at all (a test of Redis being away).
    static func run(client: PetalClient, allowedHosts: [String] = [], waitForRedis: Bool = true,
                    _ body: (HTTPTestClient, Int) async throws -> Void) async throws {
        let port = try FreePort.find()
        let configuration = GreeterConfiguration(
            port: port, templatesDirectory: PetalBinary.root.appendingPathComponent("Templates").path,
            staticDirectory: PetalBinary.root.appendingPathComponent("Static").path, cookieSecret: "test-secret",
            allowedHosts: allowedHosts)
        let app = try await buildGreeterApplication(configuration: configuration, client: client)
        let running = Task { try await app.runService() }
        defer { running.cancel() }
        let http = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        try await Eventually.wait("greeter listening") {
            let status = try await http.get("/healthz").status
            return waitForRedis ? status == 200 : status > 0
        }
        try await body(http, port)
    }
}
