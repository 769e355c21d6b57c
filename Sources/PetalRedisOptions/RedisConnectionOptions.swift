import ArgumentParser
import Foundation
import PetalRedis

/// The Redis options every Petal command shares (`petal …`, `greeter web`, `greeter worker`): the
/// URL and the TLS, Sentinel and durability settings beside it. Each falls back to its environment
/// variable (`RedisSettings.Variable`); `RedisSettings` turns them into a `RedisConfiguration`.
public struct RedisConnectionOptions: ParsableArguments {
    @Option(name: .customLong("redis"),
            help: "Redis URL: redis://[user:pass@]host:port/db, rediss://… (TLS), unix:///path.sock or redis+sentinel://[user:pass@]host:26379,host2:26379/<master>[/db] (default: REDIS_URL or redis://127.0.0.1:6379).")
    public var url: String?

    @Option(name: .customLong("redis-tls-ca"), help: "PEM file of the CA that signed Redis's certificate (default: REDIS_TLS_CA, else the system's CA store).")
    var tlsCA: String?

    @Option(name: .customLong("redis-tls-cert"), help: "PEM client certificate, for Redis servers that require one (mutual TLS; default: REDIS_TLS_CERT).")
    var tlsCert: String?

    @Option(name: .customLong("redis-tls-key"), help: "PEM key of the client certificate (default: REDIS_TLS_KEY).")
    var tlsKey: String?

    @Flag(name: .customLong("redis-tls-insecure"), help: "Do not verify Redis's certificate (default: REDIS_TLS_INSECURE). Anyone on the path can then read and change the traffic.")
    var tlsInsecure = false

    @Option(name: .customLong("redis-sentinel-password"), help: "Password of the sentinels, when they have one (default: REDIS_SENTINEL_PASSWORD).")
    var sentinelPassword: String?

    @Option(name: .customLong("redis-wait-replicas"), help: "Durability mode: wait until N replicas have each enqueue, fetch and finish (WAIT; default: REDIS_WAIT_REPLICAS or 0, off).")
    var waitReplicas: Int?

    @Option(name: .customLong("redis-wait-timeout"), help: "Milliseconds that wait may take (default: REDIS_WAIT_TIMEOUT or 1000).")
    var waitTimeout: Int?

    public init() {}

    /// The settings: these flags over the environment's variables.
    public func settings(environment: [String: String] = ProcessInfo.processInfo.environment) -> RedisSettings {
        var settings = RedisSettings(environment: environment)
        if let url { settings.url = url }
        if let tlsCA { settings.tlsCA = tlsCA }
        if let tlsCert { settings.tlsCert = tlsCert }
        if let tlsKey { settings.tlsKey = tlsKey }
        if tlsInsecure { settings.tlsInsecure = true }
        if let sentinelPassword { settings.sentinelPassword = sentinelPassword }
        if let waitReplicas { settings.waitReplicas = waitReplicas }
        if let waitTimeout { settings.waitTimeoutMilliseconds = waitTimeout }
        return settings
    }

    /// The configuration, or a usage error naming the wrong setting (never echoing a password).
    public func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RedisConfiguration {
        do {
            return try settings(environment: environment).configuration()
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
