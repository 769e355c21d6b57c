import Foundation

/// What a program was told about Redis: the URL and the settings beside it, from its flags or its
/// environment. Every Petal program (worker, CLI, monitor, greeter, bench) turns these into a
/// `RedisConfiguration` here, so they all read the same settings the same way.
///
/// A flag wins over its environment variable, and both win over the URL's query parameters.
public struct RedisSettings: Sendable, Equatable {
    public static let defaultURL = "redis://127.0.0.1:6379"

    /// Environment variables, one per setting (documented in .env.example).
    public enum Variable {
        public static let url = "REDIS_URL"
        public static let tlsCA = "REDIS_TLS_CA"
        public static let tlsCert = "REDIS_TLS_CERT"
        public static let tlsKey = "REDIS_TLS_KEY"
        public static let tlsInsecure = "REDIS_TLS_INSECURE"
        public static let sentinelPassword = "REDIS_SENTINEL_PASSWORD"
        public static let waitReplicas = "REDIS_WAIT_REPLICAS"
        public static let waitTimeout = "REDIS_WAIT_TIMEOUT"
    }

    public var url: String
    public var tlsCA: String?
    public var tlsCert: String?
    public var tlsKey: String?
    /// Skip verifying the server's certificate (nil: as the URL says; verification is on by default).
    public var tlsInsecure: Bool?
    public var sentinelPassword: String?
    /// Durability mode: replicas that must have each enqueue, fetch and finish (`WAIT`).
    public var waitReplicas: Int?
    /// Milliseconds the durability wait may take.
    public var waitTimeoutMilliseconds: Int?

    public init(url: String = RedisSettings.defaultURL, tlsCA: String? = nil, tlsCert: String? = nil, tlsKey: String? = nil,
                tlsInsecure: Bool? = nil, sentinelPassword: String? = nil, waitReplicas: Int? = nil,
                waitTimeoutMilliseconds: Int? = nil) {
        self.url = url
        self.tlsCA = tlsCA
        self.tlsCert = tlsCert
        self.tlsKey = tlsKey
        self.tlsInsecure = tlsInsecure
        self.sentinelPassword = sentinelPassword
        self.waitReplicas = waitReplicas
        self.waitTimeoutMilliseconds = waitTimeoutMilliseconds
    }

    /// The settings an environment gives (unset and empty variables give nothing). Numbers and
    /// booleans that do not parse are kept as text errors for `configuration()` to report.
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(url: value(Variable.url) ?? Self.defaultURL, tlsCA: value(Variable.tlsCA), tlsCert: value(Variable.tlsCert),
                  tlsKey: value(Variable.tlsKey), sentinelPassword: value(Variable.sentinelPassword))
        environmentProblems = []
        if let text = value(Variable.tlsInsecure) {
            if let flag = RedisConfiguration.boolean(text) { tlsInsecure = flag } else {
                environmentProblems.append("\(Variable.tlsInsecure) must be true or false, not '\(text)'")
            }
        }
        for (name, slot) in [(Variable.waitReplicas, \RedisSettings.waitReplicas), (Variable.waitTimeout, \.waitTimeoutMilliseconds)] {
            guard let text = value(name) else { continue }
            if let number = Int(text) { self[keyPath: slot] = number } else {
                environmentProblems.append("\(name) must be a whole number, not '\(text)'")
            }
        }
    }

    /// Environment values that did not parse, reported by `configuration()`.
    private var environmentProblems: [String] = []

    /// The configuration these settings describe, or an error naming the setting that is wrong.
    public func configuration() throws(RedisError) -> RedisConfiguration {
        if let problem = environmentProblems.first { throw .invalidSetting(problem) }
        var configuration = try RedisConfiguration(url: url)
        let tlsGiven: [(String, String?)] = [("--redis-tls-ca", tlsCA), ("--redis-tls-cert", tlsCert), ("--redis-tls-key", tlsKey)]
        if var tls = configuration.tls {
            if let tlsCA { tls.caFile = tlsCA }
            if let tlsCert { tls.certificateFile = tlsCert }
            if let tlsKey { tls.keyFile = tlsKey }
            if let tlsInsecure { tls.verifyPeer = !tlsInsecure }
            try Self.check(tls)
            configuration.tls = tls
        } else if let given = tlsGiven.first(where: { $0.1 != nil }) ?? (tlsInsecure == true ? ("--redis-tls-insecure", "") : nil) {
            throw .invalidSetting("\(given.0) needs a TLS URL (rediss:// or rediss+sentinel://), but the Redis URL is \(configuration)")
        }
        if let sentinelPassword {
            guard case .sentinel(var sentinel) = configuration.endpoint else {
                throw .invalidSetting("--redis-sentinel-password needs a redis+sentinel:// URL, but the Redis URL is \(configuration)")
            }
            sentinel.password = sentinelPassword
            configuration.endpoint = .sentinel(sentinel)
        }
        if let waitReplicas {
            guard (0...100).contains(waitReplicas) else { throw .invalidSetting("--redis-wait-replicas must be 0 to 100, not \(waitReplicas)") }
            configuration.replicasToWait = waitReplicas
        }
        if let waitTimeoutMilliseconds {
            guard (1...600_000).contains(waitTimeoutMilliseconds) else {
                throw .invalidSetting("--redis-wait-timeout must be 1 to 600000 milliseconds, not \(waitTimeoutMilliseconds)")
            }
            configuration.replicaWaitTimeout = Double(waitTimeoutMilliseconds) / 1000
        }
        return configuration
    }

    /// Files that are missing or unreadable are named now, not at the first connection.
    static func check(_ tls: RedisTLS) throws(RedisError) {
        for (what, path) in [("CA file", tls.caFile), ("client certificate", tls.certificateFile), ("client key", tls.keyFile)] {
            guard let path else { continue }
            if !FileManager.default.isReadableFile(atPath: path) {
                throw .invalidSetting("TLS \(what) \(path) is not a readable file")
            }
        }
        if (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw .invalidSetting("mutual TLS needs both a client certificate and its key (--redis-tls-cert and --redis-tls-key)")
        }
    }
}
