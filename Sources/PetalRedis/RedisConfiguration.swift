import Foundation

/// Where Redis is and how long to wait for it.
///
/// URLs: `redis://[user:password@]host[:port][/db]`, and for Unix sockets
/// `unix:///path/to/redis.sock[?db=N]` or `redis+unix:///path?db=N`.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    /// Seconds to wait for a connection to be established.
    public var connectTimeout: Double
    /// Seconds to wait for a reply; blocking commands add their own block time to this.
    public var commandTimeout: Double

    public init(endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379), username: String? = nil,
                password: String? = nil, database: Int = 0, connectTimeout: Double = 2, commandTimeout: Double = 5) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    public init(url: String) throws(RedisError) {
        self.init()
        let shown = Self.redacted(url)  // error messages never echo a password
        guard let schemeEnd = url.range(of: "://") else { throw .invalidURL("'\(shown)' has no scheme (redis:// or unix://)") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = String(url[schemeEnd.upperBound...])
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            rest = String(rest[..<mark])
        }
        switch scheme {
        case "redis":
            try parseTCP(rest, url: shown)
        case "unix", "redis+unix":
            guard rest.hasPrefix("/") else { throw .invalidURL("'\(shown)' needs an absolute socket path") }
            endpoint = .unix(path: rest)
        case "rediss":
            throw .invalidURL("TLS (rediss://) is not supported")
        default:
            throw .invalidURL("unknown scheme '\(scheme)' in '\(shown)'")
        }
        if let db = query["db"] {
            guard let number = Int(db), number >= 0 else { throw .invalidURL("db must be a non-negative number in '\(shown)'") }
            database = number
        }
        if let password = query["password"] { self.password = password }
    }

    private mutating func parseTCP(_ text: String, url: String) throws(RedisError) {
        var hostPart = Substring(text)
        if let at = hostPart.lastIndex(of: "@") {
            let credentials = hostPart[..<at]
            hostPart = hostPart[hostPart.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : Self.percentDecoded(user)
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                password = Self.percentDecoded(credentials)
            }
        }
        var path = Substring("")
        if let slash = hostPart.firstIndex(of: "/") {
            path = hostPart[hostPart.index(after: slash)...]
            hostPart = hostPart[..<slash]
        }
        var host = hostPart.isEmpty ? "127.0.0.1" : String(hostPart)
        var port = 6379
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {  // [::1]:6380
            let after = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { throw .invalidURL("bad port in '\(url)'") }
                port = number
            }
            host = inner
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { throw .invalidURL("bad port in '\(url)'") }
            port = number
            host = String(host[..<colon])
        }
        guard (1...65535).contains(port) else { throw .invalidURL("port \(port) out of range in '\(url)'") }
        endpoint = .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port)
        if !path.isEmpty {
            guard let db = Int(path), db >= 0 else { throw .invalidURL("database '\(path)' is not a number in '\(url)'") }
            database = db
        }
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"),
               let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high < utf8.endIndex,
               let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `url` with its password replaced by *** (`redis://user:***@host`, `?password=***`), for
    /// messages, logs and pages; works on text that does not parse, too.
    public static func redacted(_ url: String) -> String {
        var text = url
        // Without a scheme (`secret@host:6379`, a common slip), everything before '@' may be a password.
        if text.range(of: "://") == nil, let at = text.lastIndex(of: "@") {
            text.replaceSubrange(text.startIndex..<at, with: "***")
        }
        if let scheme = text.range(of: "://") {
            let authorityEnd = text[scheme.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
            if let at = text.range(of: "@", options: .backwards, range: scheme.upperBound..<authorityEnd) {
                let credentials = text[scheme.upperBound..<at.lowerBound]
                let replacement = credentials.firstIndex(of: ":").map { String(credentials[..<$0]) + ":***" } ?? "***"
                text.replaceSubrange(scheme.upperBound..<at.lowerBound, with: replacement)
            }
        }
        if let query = text.firstIndex(of: "?") {
            let pairs = text[text.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
                pair.lowercased().hasPrefix("password=") ? "password=***" : String(pair)
            }
            text = String(text[...query]) + pairs.joined(separator: "&")
        }
        return text
    }

    /// The URL without the password, for logs and error pages.
    public var description: String {
        let db = database == 0 ? "" : "/\(database)"
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let credentials = password == nil ? "" : "\(username ?? ""):***@"
            return "redis://\(credentials)\(shownHost):\(port)\(db)"
        case .unix(let path):
            return "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        }
    }
}
