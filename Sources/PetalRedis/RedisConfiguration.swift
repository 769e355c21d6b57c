import Foundation

/// Where Redis is, how to reach it, who to be there, and how long to wait.
///
/// Every Petal program builds it the same way: from a URL (`init(url:)`, parsed in
/// RedisConfiguration+URL.swift), with flags and environment variables laid over it by
/// `RedisSettings`. It is Codable so a worker hands it to its children whole.
///
/// URLs: `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS), `unix:///path.sock[?db=N]`
/// (or `redis+unix://`), and `redis+sentinel://[user:password@]host1[:26379],host2…/master[/db]`
/// (`rediss+sentinel://` for TLS to sentinels and Redis alike).
public struct RedisConfiguration: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable, Codable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// The primary is whichever server these sentinels name; found again after every lost connection.
        case sentinel(RedisSentinel)
    }

    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    /// TLS settings; nil means plaintext.
    public var tls: RedisTLS?
    /// Durability mode: after the steps that create or end work (enqueue, fetch, finish), wait until
    /// this many replicas have the write (`WAIT n timeout`). 0 (the default) does not wait.
    public var replicasToWait: Int
    /// How long that wait may take, in seconds.
    public var replicaWaitTimeout: Double
    /// Seconds to wait for a connection to be established (TLS handshake included).
    public var connectTimeout: Double
    /// Seconds to wait for a reply; blocking commands add their own block time to this.
    public var commandTimeout: Double

    public init(endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379), username: String? = nil,
                password: String? = nil, database: Int = 0, tls: RedisTLS? = nil, replicasToWait: Int = 0,
                replicaWaitTimeout: Double = 1, connectTimeout: Double = 2, commandTimeout: Double = 5) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.replicasToWait = replicasToWait
        self.replicaWaitTimeout = replicaWaitTimeout
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// The URL without the password, for logs, pages and heartbeats.
    public var description: String {
        let db = database == 0 ? "" : "/\(database)"
        let credentials = password == nil ? (username.map { "\($0)@" } ?? "") : "\(username ?? ""):***@"
        let secure = tls != nil
        var text: String
        switch endpoint {
        case .tcp(let host, let port):
            text = "\(secure ? "rediss" : "redis")://\(credentials)\(Self.shown(host)):\(port)\(db)"
        case .unix(let path):
            return "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        case .sentinel(let sentinel):
            let hosts = sentinel.sentinels.map { "\(Self.shown($0.host)):\($0.port)" }.joined(separator: ",")
            text = "\(secure ? "rediss" : "redis")+sentinel://\(credentials)\(hosts)/\(sentinel.masterName)\(db)"
        }
        if let tls, !tls.verifyPeer { text += "?ssl_cert_reqs=none" }
        return text
    }

    private static func shown(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// The same settings for a directly named server (a sentinel, or the primary a sentinel named):
    /// same TLS, same timeouts.
    func direct(host: String, port: Int, username: String?, password: String?, database: Int) -> RedisConfiguration {
        var copy = self
        copy.endpoint = .tcp(host: host, port: port)
        copy.username = username
        copy.password = password
        copy.database = database
        return copy
    }
}

/// Redis Sentinel: the sentinels to ask and the name of the primary they watch.
public struct RedisSentinel: Sendable, Equatable, Codable {
    public struct Address: Sendable, Equatable, Codable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public var sentinels: [Address]
    public var masterName: String
    /// Credentials for the sentinels themselves (`requirepass` in sentinel.conf), when they have any;
    /// the URL's own credentials are for Redis.
    public var username: String?
    public var password: String?

    public init(sentinels: [Address], masterName: String, username: String? = nil, password: String? = nil) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
    }
}

/// TLS to Redis: the server is verified against `caFile` (or the system's CA store) and its name
/// checked, as a browser would; a client certificate is sent when one is given (mutual TLS).
public struct RedisTLS: Sendable, Equatable, Codable {
    /// PEM file of the CAs to trust; nil means the system store (/etc/ssl/certs).
    public var caFile: String?
    /// PEM client certificate and its key, for servers that require one (`tls-auth-clients yes`).
    public var certificateFile: String?
    public var keyFile: String?
    /// Off only by choice (`--redis-tls-insecure`, `ssl_cert_reqs=none`): then anyone between
    /// Petal and Redis can read and change the traffic.
    public var verifyPeer: Bool
    /// Whether the certificate must name the host connected to (`ssl_check_hostname`).
    public var verifyHostname: Bool

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                verifyPeer: Bool = true, verifyHostname: Bool = true) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verifyPeer = verifyPeer
        self.verifyHostname = verifyHostname
    }
}
