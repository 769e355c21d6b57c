import Foundation
import Petal
import PetalTestSupport
import PropertyBased
import Testing

/// Generated hostile requests against the greeter: whatever a visitor types or a script sends, the
/// answer is a page, a redirect or a 4xx with a message, never a 5xx.
@Suite("Greeter fuzz", .serialized)
struct GreeterFuzzTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    static let request = Generator<(String, String?), Shrink.None<(String, String?)>>(run: { rng in
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            let form = "person=\(HostileInput.queryValue.run(using: &rng))&total=\(HostileInput.queryValue.run(using: &rng))"
            return ("POST /greet", form)
        case 1: return ("POST /demo/\(HostileInput.pathSegment.run(using: &rng))", "")
        case 2:
            let page = ["/status/", "/wait/", "/result/"].randomElement(using: &rng)!
            return ("GET \(page)\(HostileInput.pathSegment.run(using: &rng))", nil)
        default: return ("GET /jobs?\(HostileInput.queryValue.run(using: &rng))=\(HostileInput.queryValue.run(using: &rng))", nil)
        }
    })

    @Test func hostileFormsAndPathsNeverGetA5xx() async throws {
        try await GreeterHarness.run(client: client) { _, port async throws in
            await propertyCheck(count: 200, input: Self.request) { line, body in
                var request = "\(line) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
                if let body {
                    request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                } else {
                    request += "\r\n"
                }
                let status = WireHTTP.status(of: try await WireHTTP.raw(port: port, Array(request.utf8)))
                #expect((200..<500).contains(status), "\(line.prefix(200)) \(body?.prefix(200) ?? "") → \(status)")
            }
        }
    }
}
