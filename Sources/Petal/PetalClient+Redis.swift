import PetalRedis

extension PetalClient {
    /// The Redis server this client writes to: its role (primary), address and, under Sentinel,
    /// the primary's name. For health checks (`/healthcheck`, the greeter's `/healthz`).
    public func redisStatus() async throws(PetalError) -> RedisServerStatus {
        do {
            return try await redis.serverStatus()
        } catch {
            throw .redis(error)
        }
    }

    /// Where this client's Redis is, without the password (for pages and messages).
    public var redisDescription: String { redis.configuration.description }
}
