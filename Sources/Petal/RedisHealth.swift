import PetalRedis

/// The Redis part of a health check, said the same way by the monitor and the greeter.
public enum RedisHealth {
    /// Healthy when Redis answers and is the primary. The line reads
    /// `redis: primary 127.0.0.1:6380` (`… (sentinel master mymaster)` under Sentinel), or says why not.
    public static func line(_ client: PetalClient) async -> (healthy: Bool, line: String) {
        do {
            let status = try await client.redisStatus()
            let sentinel = status.sentinelMaster.map { " (sentinel master \($0))" } ?? ""
            return (status.role == "primary", "redis: \(status.role) \(status.address)\(sentinel)")
        } catch {
            return (false, "redis: unreachable (\(error))")
        }
    }

    /// The same as JSON fields, for the greeter's `/healthz`.
    public static func fields(_ client: PetalClient) async -> (healthy: Bool, fields: [String: JSONValue]) {
        do {
            let status = try await client.redisStatus()
            var fields: [String: JSONValue] = ["status": .string(status.role == "primary" ? "ok" : "degraded"),
                                               "redis": "ok", "redis_role": .string(status.role), "redis_address": .string(status.address)]
            if let master = status.sentinelMaster { fields["redis_sentinel_master"] = .string(master) }
            return (status.role == "primary", fields)
        } catch {
            return (false, ["status": "degraded", "redis": .string("\(error)")])
        }
    }
}
