import Foundation

/// Reading a Redis URL. Query parameters are spelled as redis-py and Celery spell them, so a URL
/// that works there works here: `db`, `password`, `ssl_cert_reqs` (`none`, `optional`, `required`,
/// or `CERT_NONE`…), `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`, `ssl_check_hostname`, and for
/// Sentinel `sentinel_username`, `sentinel_password`. Anything else is refused by name, so a typo
/// in a security setting is never silently ignored.
extension RedisConfiguration {
    static let knownParameters = ["db", "password", "ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
                                  "ssl_check_hostname", "sentinel_username", "sentinel_password"]
    /// A sentinel's port when the URL names none.
    public static let defaultSentinelPort = 26379

    public init(url typed: String) throws(RedisError) {
        self.init()
        // A space or newline at the end (common in .env files) is not part of any URL.
        let url = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        let shown = Self.redacted(url)  // error messages never echo a password
        guard let schemeEnd = url.range(of: "://") else {
            throw .invalidURL("'\(shown)' has no scheme (redis://, rediss://, unix:// or redis+sentinel://)")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = String(url[schemeEnd.upperBound...])
        if let found = PasswordMasking.credentials(in: Array(url.utf8)), let userinfo = found.userinfo,
           Array(url.utf8)[userinfo].contains(UInt8(ascii: "?")) {
            throw .invalidURL("a '?' in the user name or password of '\(shown)' must be percent-encoded as %3F")
        }
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                let name = String(parts[0])
                guard Self.knownParameters.contains(name) else {
                    throw .invalidURL("unknown parameter '\(name)' in '\(shown)'; known: \(Self.knownParameters.joined(separator: ", "))")
                }
                query[name] = parts.count > 1 ? Self.percentDecoded(parts[1]) : ""
            }
            rest = String(rest[..<mark])
        }
        switch scheme {
        case "redis", "rediss":
            try parseTCP(rest, url: shown)
        case "unix", "redis+unix":
            guard rest.hasPrefix("/") else { throw .invalidURL("'\(shown)' needs an absolute socket path") }
            endpoint = .unix(path: rest)
        case "redis+sentinel", "rediss+sentinel":
            try parseSentinel(rest, url: shown)
        default:
            throw .invalidURL("unknown scheme '\(scheme)' in '\(shown)' (redis://, rediss://, unix:// or redis+sentinel://)")
        }
        if let db = query["db"] {
            guard let number = Int(db), number >= 0 else { throw .invalidURL("db must be a non-negative number in '\(shown)'") }
            database = number
        }
        if let password = query["password"] { self.password = password }
        if case .sentinel(var sentinel) = endpoint {
            if let user = query["sentinel_username"] { sentinel.username = user.isEmpty ? nil : user }
            if let password = query["sentinel_password"] { sentinel.password = password }
            endpoint = .sentinel(sentinel)
        } else if let name = ["sentinel_username", "sentinel_password"].first(where: { query[$0] != nil }) {
            throw .invalidURL("\(name) is for redis+sentinel:// URLs, not '\(shown)'")
        }
        if scheme.hasPrefix("rediss") {
            tls = try Self.tlsSettings(from: query, url: shown)
        } else if let name = query.keys.sorted().first(where: { $0.hasPrefix("ssl_") }) {
            throw .invalidURL("\(name) needs TLS: use rediss:// (or rediss+sentinel://) in '\(shown)'")
        }
    }

    private static func tlsSettings(from query: [String: String], url: String) throws(RedisError) -> RedisTLS {
        var tls = RedisTLS(caFile: query["ssl_ca_certs"], certificateFile: query["ssl_certfile"], keyFile: query["ssl_keyfile"])
        if let requirement = query["ssl_cert_reqs"] {
            switch requirement.lowercased() {
            case "none", "cert_none": tls.verifyPeer = false
            // A client always gets the server's certificate, so "optional" verifies it as "required" does.
            case "optional", "cert_optional", "required", "cert_required": tls.verifyPeer = true
            default: throw .invalidURL("ssl_cert_reqs must be none, optional or required, not '\(requirement)' in '\(url)'")
            }
        }
        if let check = query["ssl_check_hostname"] {
            guard let value = Self.boolean(check) else {
                throw .invalidURL("ssl_check_hostname must be true or false, not '\(check)' in '\(url)'")
            }
            tls.verifyHostname = value
        }
        return tls
    }

    /// true/false as redis-py reads them (also 1/0, yes/no).
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: return nil
        }
    }

    /// Splits `user:password@` off an authority; a lone value before '@' is a password, as redis-py reads it.
    private mutating func takeCredentials(_ authority: inout Substring) {
        guard let at = authority.lastIndex(of: "@") else { return }
        let credentials = authority[..<at]
        authority = authority[authority.index(after: at)...]
        if let colon = credentials.firstIndex(of: ":") {
            let user = credentials[..<colon]
            username = user.isEmpty ? nil : Self.percentDecoded(user)
            password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
        } else if !credentials.isEmpty {
            password = Self.percentDecoded(credentials)
        }
    }

    private mutating func parseTCP(_ text: String, url: String) throws(RedisError) {
        var hostPart = Substring(text)
        takeCredentials(&hostPart)
        var path = Substring("")
        if let slash = hostPart.firstIndex(of: "/") {
            path = hostPart[hostPart.index(after: slash)...]
            hostPart = hostPart[..<slash]
        }
        let (host, port) = try Self.hostAndPort(hostPart, defaultPort: 6379, url: url)
        endpoint = .tcp(host: host, port: port)
        if !path.isEmpty {
            guard let db = Int(path), db >= 0 else { throw .invalidURL("database '\(path)' is not a number in '\(url)'") }
            database = db
        }
    }

    /// `host1[:port],host2[:port]/master[/db]`.
    private mutating func parseSentinel(_ text: String, url: String) throws(RedisError) {
        var authority = Substring(text)
        takeCredentials(&authority)
        guard let slash = authority.firstIndex(of: "/") else {
            throw .invalidURL("'\(url)' names no primary: redis+sentinel://host:26379,host2:26379/<master name>[/db]")
        }
        let path = authority[authority.index(after: slash)...].split(separator: "/", omittingEmptySubsequences: false)
        var sentinels: [RedisSentinel.Address] = []
        for entry in authority[..<slash].split(separator: ",") {
            let (host, port) = try Self.hostAndPort(entry, defaultPort: Self.defaultSentinelPort, url: url)
            sentinels.append(RedisSentinel.Address(host: host, port: port))
        }
        guard !sentinels.isEmpty else { throw .invalidURL("'\(url)' names no sentinel") }
        guard let master = path.first, !master.isEmpty else {
            throw .invalidURL("'\(url)' names no primary: redis+sentinel://host:26379,host2:26379/<master name>[/db]")
        }
        guard path.count <= 2 else { throw .invalidURL("'\(url)' has more than /<master name>/<db> after the sentinels") }
        if path.count == 2, !path[1].isEmpty {
            guard let db = Int(path[1]), db >= 0 else { throw .invalidURL("database '\(path[1])' is not a number in '\(url)'") }
            database = db
        }
        endpoint = .sentinel(RedisSentinel(sentinels: sentinels, masterName: Self.percentDecoded(master)))
    }

    /// `host`, `host:port`, `[v6]`, `[v6]:port`; an empty host is 127.0.0.1.
    private static func hostAndPort(_ text: Substring, defaultPort: Int, url: String) throws(RedisError) -> (String, Int) {
        var host = String(text)
        var port = defaultPort
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
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    static func percentDecoded(_ text: Substring) -> String {
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

    /// `url` with its passwords replaced by *** (`redis://user:***@host`, `?password=***`,
    /// `?sentinel_password=***`), for messages, logs and pages; works on text that does not parse, too.
    public static func redacted(_ url: String) -> String {
        var bytes = Array(url.utf8)
        // Without a scheme (`secret@host:6379`, a common slip), everything before '@' may be a password.
        guard url.contains("://") else {
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return url }
            return "***" + String(decoding: bytes[at...], as: UTF8.self)
        }
        // Cut from the end, so earlier ranges stay where they are.
        for range in PasswordMasking.passwordRanges(in: bytes).sorted(by: { $0.lowerBound > $1.lowerBound }) {
            bytes.replaceSubrange(range, with: Array("***".utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
