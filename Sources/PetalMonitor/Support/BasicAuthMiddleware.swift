import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb

/// HTTP Basic authentication for every page and API call; /healthcheck stays open for probes.
struct BasicAuthMiddleware: RouterMiddleware {
    typealias Context = MonitorRequestContext
    let expected: [UInt8]
    let healthPath: String

    init(credentials: String, prefix: String) {
        expected = Array(Data(credentials.utf8).base64EncodedString().utf8)
        healthPath = prefix + "/healthcheck"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == healthPath { return try await next(request, context) }
        guard let given = Self.basicCredentials(request.headers[.authorization]), Self.constantTimeEqual(given, expected) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Basic realm=\"petal\""
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "Authentication required\n")))
        }
        return try await next(request, context)
    }

    /// The base64 part of `Basic <credentials>`; the scheme name is case-insensitive (RFC 9110).
    static func basicCredentials(_ header: String?) -> [UInt8]? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic" else { return nil }
        return Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
    }

    /// Compares without stopping at the first difference, so timing reveals nothing.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
