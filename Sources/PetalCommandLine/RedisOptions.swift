import ArgumentParser
import Petal
import PetalRedis
import PetalSettings

/// `--redis` (with its TLS, Sentinel and durability settings) and `--prefix`, taken by every
/// command that talks to Redis (`petal …`, `greeter …`); unset, each comes from its environment
/// variable (REDIS_URL, REDIS_TLS_CA, …, PETAL_PREFIX). `RedisSettings` turns them into the one
/// `RedisConfiguration` every program uses.
public struct RedisOptions: ParsableArguments {
    @Option(name: .long, help: "Redis URL: redis://[user:pass@]host:port/db, rediss://… (TLS), unix:///path.sock or redis+sentinel://[user:pass@]host:26379,host2:26379/<master>[/db] (default: REDIS_URL or redis://127.0.0.1:6379).")
    var redis: String?

    @Option(name: .long, help: "Key prefix shared by every Petal program on this Redis (default: PETAL_PREFIX or petal).")
    var prefix: String?

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

    public func url(_ settings: EnvironmentSettings) -> String { redis ?? settings.redisURL }

    public func keyPrefix(_ settings: EnvironmentSettings) -> String { prefix ?? settings.keyPrefix }

    /// The Redis settings: these flags over the environment's variables.
    public func redisSettings(_ settings: EnvironmentSettings) throws(SettingsError) -> RedisSettings {
        let insecure = tlsInsecure ? true : try settings.redisTLSInsecure()
        // (`??` would lose the error's type: its right side is a rethrowing autoclosure.)
        var replicas = waitReplicas
        if replicas == nil { replicas = try settings.redisWaitReplicas() }
        var timeout = waitTimeout
        if timeout == nil { timeout = try settings.redisWaitTimeout() }
        return RedisSettings(url: url(settings), tlsCA: tlsCA ?? settings.redisTLSCA, tlsCert: tlsCert ?? settings.redisTLSCert,
                             tlsKey: tlsKey ?? settings.redisTLSKey, tlsInsecure: insecure,
                             sentinelPassword: sentinelPassword ?? settings.redisSentinelPassword,
                             waitReplicas: replicas, waitTimeoutMilliseconds: timeout)
    }

    /// Where Redis is and how to reach it, or a usage error naming the wrong setting (never carrying a password).
    public func redisConfiguration(_ settings: EnvironmentSettings) throws -> RedisConfiguration {
        do { return try redisSettings(settings).configuration() } catch { throw ValidationError("\(error)") }
    }

    /// A client of `poolSize` connections under the prefix.
    public func client(_ settings: EnvironmentSettings, poolSize: Int = 2) throws -> PetalClient {
        PetalClient(redis: RedisClient(configuration: try redisConfiguration(settings), poolSize: poolSize), keys: Keys(prefix: keyPrefix(settings)))
    }
}
