import Hummingbird
import NIOCore

/// The one place the web apps read what a request carries: path parameters percent-decoded once
/// (the router hands them over as written, so `/worker/petal-802%40vm` must become `petal-802@vm`
/// here), query strings decoded as forms (`+` is a space), and bodies read with errors that say
/// what was wrong instead of a 500.
extension Parameters {
    /// The path parameter `name`, percent-decoded (`+` stays a plus in a path).
    public func decoded(_ name: String) throws(HTTPError) -> String {
        guard let raw = self[name[...]] else { throw HTTPError(.badRequest, message: "the URL lacks its \(name)") }
        return FormBody.decode(raw, plusIsSpace: false)
    }
}

extension Request {
    /// Query parameters decoded as application/x-www-form-urlencoded; the last of a repeated name wins.
    public var formQuery: [String: String] { FormBody.parse(uri.query ?? "") }

    /// The body, at most `limit` bytes. Too large is 413; a body the HTTP parser could not read
    /// (bad chunking, a Content-Length longer than what came) is 400; an encoding the server
    /// cannot undo (`Transfer-Encoding: gzip`, `Content-Encoding: br`) is 501 or 415.
    public mutating func readBody(limit: Int) async throws(HTTPError) -> ByteBuffer {
        if let encoding = headers[.transferEncoding]?.lowercased(),
           encoding.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) != "chunked" }) {
            throw HTTPError(.notImplemented, message: "Transfer-Encoding '\(encoding)' is not supported; send the body plain or chunked")
        }
        if let encoding = headers[.contentEncoding]?.lowercased(), encoding != "identity" {
            throw HTTPError(.unsupportedMediaType, message: "Content-Encoding '\(encoding)' is not supported; send the body uncompressed")
        }
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the body is larger than \(limit) bytes")
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.badRequest, message: "the request body could not be read: \(error)")
        }
    }
}
