import Foundation

/// What a program was told about Redis: the URL and the settings beside it, from its flags or its
/// environment (PetalCommandLine's `RedisOptions` lays the flags over `EnvironmentSettings`). Every
/// Petal program (worker, CLI, monitor, greeter, bench) turns these into a `RedisConfiguration`
/// here, so they all read the same settings the same way. They win over the URL's query parameters.
public struct RedisSettings: Sendable, Equatable {
    public static let defaultURL = "redis://127.0.0.1:6379"

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

    /// The configuration these settings describe, or an error naming the setting that is wrong.
    public func configuration() throws(RedisError) -> RedisConfiguration {
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
        // Loaded once here as every connection will load them: a folder, a file that is not PEM,
        // or a key that is not the certificate's is a setting to fix, not an outage to wait out.
        do throws(RedisError) {
            try TLSSession.validate(tls)
        } catch {
            throw .invalidSetting(error.description.replacingOccurrences(of: "Redis connection failed: ", with: ""))
        }
    }
}
