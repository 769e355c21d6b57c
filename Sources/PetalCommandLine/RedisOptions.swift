import ArgumentParser
import Petal
import PetalRedis
import PetalSettings

/// `--redis` and `--prefix`, taken by every command that talks to Redis (`petal …`, `greeter …`);
/// unset, they come from REDIS_URL and PETAL_PREFIX.
public struct RedisOptions: ParsableArguments {
    @Option(name: .long, help: "Redis URL: redis://[user:pass@]host:port/db or unix:///path.sock (default: REDIS_URL or redis://127.0.0.1:6379).")
    var redis: String?

    @Option(name: .long, help: "Key prefix shared by every Petal program on this Redis (default: PETAL_PREFIX or petal).")
    var prefix: String?

    public init() {}

    public func url(_ settings: EnvironmentSettings) -> String { redis ?? settings.redisURL }

    public func keyPrefix(_ settings: EnvironmentSettings) -> String { prefix ?? settings.keyPrefix }

    public func redisConfiguration(_ settings: EnvironmentSettings) throws -> RedisConfiguration {
        do { return try RedisConfiguration(url: url(settings)) } catch { throw ValidationError("\(error)") }  // never carries the password
    }

    /// A client of `poolSize` connections under the prefix.
    public func client(_ settings: EnvironmentSettings, poolSize: Int = 2) throws -> PetalClient {
        PetalClient(redis: RedisClient(configuration: try redisConfiguration(settings), poolSize: poolSize), keys: Keys(prefix: keyPrefix(settings)))
    }
}
