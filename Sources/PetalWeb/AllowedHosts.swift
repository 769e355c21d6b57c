import HTTPTypes
import Hummingbird

/// The Host names a web app answers for. A page on an attacker's domain that rebinds its DNS to
/// 127.0.0.1 sends that domain as Host; refusing unknown names stops it from reading or driving
/// the app. IP literals (`127.0.0.1:5555`, `[::1]`) cannot be rebound and are always allowed, as
/// are `localhost` and its subdomains; anything else must be named (a leading dot allows a
/// domain's subdomains, `*` allows every name).
public struct AllowedHosts: Sendable {
    private let names: Set<String>
    private let suffixes: [String]
    private let anyName: Bool

    /// `names` from `--allowed-hosts` / an environment variable, plus the address the app listens on.
    public init(_ names: [String], listeningOn address: String? = nil) {
        var exact: Set<String> = ["localhost"]
        var suffixes = [".localhost"]
        var anyName = false
        for raw in names + [address].compactMap({ $0 }) {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "*" { anyName = true } else if name.hasPrefix(".") { suffixes.append(name) } else if !name.isEmpty { exact.insert(name) }
        }
        self.names = exact
        self.suffixes = suffixes
        self.anyName = anyName
    }

    /// Parses "a.example, .b.example" (commas or spaces).
    public init(list: String?, listeningOn address: String? = nil) {
        self.init(Self.names(in: list ?? ""), listeningOn: address)
    }

    /// The names in "a.example, .b.example" (`--allowed-hosts`, MONITOR_ALLOWED_HOSTS): commas or spaces between.
    public static func names(in list: String) -> [String] {
        list.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    /// True when a request with this Host header (`name[:port]`) may be answered. No Host at all
    /// (HTTP/1.0 tools) cannot come from a browser and is allowed.
    public func permits(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return true }
        guard Self.isWellFormed(host) else { return false }
        let name = Self.name(of: host.lowercased())
        if anyName || Self.isIPLiteral(name) || names.contains(name) { return true }
        return suffixes.contains { name.hasSuffix($0) }
    }

    /// `name` or `name:port` with a name of letters, digits, '-', '.' (or a bracketed IPv6 address)
    /// and a port of 1 to 5 digits: `127.0.0.1:5555@evil.com` or `a b` is not a Host.
    static func isWellFormed(_ host: String) -> Bool {
        var rest = Substring(host)
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let nameEnd = rest.firstIndex(of: ":") ?? rest.endIndex
            let name = rest[..<nameEnd]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else { return false }
            rest = rest[nameEnd...]
        }
        guard !rest.isEmpty else { return true }
        guard rest.hasPrefix(":") else { return false }
        let port = rest.dropFirst()
        return (1...5).contains(port.count) && port.allSatisfy { $0.isASCII && $0.isNumber } && Int(port)! <= 65535
    }

    /// "example.com:5555" → "example.com"; "[::1]:5555" → "[::1]".
    static func name(of host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") { return String(host[...close]) }
        if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    static func isIPLiteral(_ name: String) -> Bool {
        if name.hasPrefix("[") && name.hasSuffix("]") { return name.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in part.count <= 3 && !part.isEmpty && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part)! <= 255 }
    }
}

/// Answers 421 Misdirected Request, with no data, to any Host `AllowedHosts` does not permit.
public struct AllowedHostsMiddleware<Context: RequestContext>: RouterMiddleware {
    let hosts: AllowedHosts

    public init(hosts: AllowedHosts) { self.hosts = hosts }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // (An absolute request target, `GET http://evil.example/`, reaches here as its path with the
        // Host header's authority: SwiftNIO keeps the Host, so that is what is checked.)
        guard hosts.permits(request.head.authority) else {
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.cacheControl] = "no-store"
            let message = "This server does not answer for Host '\(request.head.authority?.prefix(100) ?? "")'. "
                + "If that name is yours, add it to the allowed hosts (--allowed-hosts).\n"
            return Response(status: .misdirectedRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
        }
        return try await next(request, context)
    }
}

/// Refuses (403, nothing done, no cookie set) a POST from another origin or one a browser marks
/// cross-site: a page elsewhere cannot start jobs or swap a visitor's cookie through a form.
public struct SameOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, let refusal = SameOrigin.refusal(request) {
            throw HTTPError(.forbidden, message: refusal)
        }
        return try await next(request, context)
    }
}

/// Origin checks for state-changing requests: the Origin must be this very server's (scheme,
/// host and port exactly), and a browser's Sec-Fetch-Site must not say cross-site.
public enum SameOrigin {
    /// Nil when the request may go on, else why not.
    public static func refusal(_ request: Request) -> String? {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site == "cross-site" || site == "same-site" {
            return "Cross-site requests are refused."
        }
        guard let origin = request.headers[.origin] else { return nil }
        guard let host = request.head.authority?.lowercased() else { return "Requests from another origin are refused." }
        let scheme = request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" ? "https" : "http"
        let defaultPort = scheme == "https" ? ":443" : ":80"
        let expected = scheme + "://" + (host.hasSuffix(defaultPort) ? String(host.dropLast(defaultPort.count)) : host)
        var given = origin.lowercased()
        if given.hasSuffix(defaultPort) { given = String(given.dropLast(defaultPort.count)) }
        return given == expected ? nil : "Requests from another origin (\(origin.prefix(100))) are refused."
    }
}
