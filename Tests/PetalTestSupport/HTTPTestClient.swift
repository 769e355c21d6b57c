import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Real HTTP to a server under test: no redirects followed (tests check them), cookies kept by hand.
public final class HTTPTestClient: Sendable {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: String
        public func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    public let base: String
    private let session: URLSession
    /// A cookie header to send, e.g. the visitor cookie from a previous answer.
    public let cookie: String?
    /// Headers sent with every request (Authorization, say).
    public let headers: [String: String]

    public init(base: String, cookie: String? = nil, headers: [String: String] = [:]) {
        self.base = base
        self.cookie = cookie
        self.headers = headers
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    /// The same client with the cookie the reply set (if any).
    public func keepingCookie(from reply: Reply) -> HTTPTestClient {
        guard let setCookie = reply.header("Set-Cookie"), let pair = setCookie.split(separator: ";").first else { return self }
        return HTTPTestClient(base: base, cookie: String(pair), headers: headers)
    }

    public func get(_ path: String) async throws -> Reply { try await send(path, method: "GET", body: nil) }

    /// POSTs a body already form-encoded (as a browser encodes it: spaces as +).
    public func post(_ path: String, encodedForm: String) async throws -> Reply {
        try await send(path, method: "POST", body: encodedForm, contentType: "application/x-www-form-urlencoded")
    }

    public func post(_ path: String, form: [String: String] = [:]) async throws -> Reply {
        var allowed = HostileInput.asciiAlphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send(path, method: "POST", body: body, contentType: "application/x-www-form-urlencoded")
    }

    public func post(_ path: String, rawBody: String, contentType: String) async throws -> Reply {
        try await send(path, method: "POST", body: rawBody, contentType: contentType)
    }

    public func delete(_ path: String) async throws -> Reply { try await send(path, method: "DELETE", body: nil) }

    private func send(_ path: String, method: String, body: String?, contentType: String? = nil) async throws -> Reply {
        guard let url = URL(string: base + path) else { throw TestSupportError("not a URL: \(base + path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body { request.httpBody = Data(body.utf8) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestSupportError("not an HTTP response") }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }
}
