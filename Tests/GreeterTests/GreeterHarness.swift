import Foundation
import Greeter
import Petal
import PetalTestSupport

/// The greeter's web app in-process on a free port, until `body` returns.
enum GreeterHarness {
    static func run(client: PetalClient, allowedHosts: [String] = [], _ body: (HTTPTestClient, Int) async throws -> Void) async throws {
        let port = try FreePort.find()
        let configuration = GreeterConfiguration(
            port: port, templatesDirectory: PetalBinary.root.appendingPathComponent("Templates").path,
            staticDirectory: PetalBinary.root.appendingPathComponent("Static").path, cookieSecret: "test-secret",
            allowedHosts: allowedHosts)
        let app = try await buildGreeterApplication(configuration: configuration, client: client)
        let running = Task { try await app.runService() }
        defer { running.cancel() }
        let http = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        try await Eventually.wait("greeter listening") { try await http.get("/healthz").status == 200 }
        try await body(http, port)
    }
}
