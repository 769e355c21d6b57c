import PetalRedis

/// Job counts for one minute or one day (the `stats:minute:<n>` and `stats:day:<n>` hashes).
public struct StatsBucket: Sendable, Equatable {
    /// Start of the bucket, seconds since 1970.
    public var start: Double
    public var succeeded: Int
    public var failed: Int
    public var retried: Int
    public var revoked: Int
    public var processed: Int { succeeded + failed }
}

extension PetalClient {
    public enum StatsUnit: Sendable {
        case minute, day
        var seconds: Int { self == .minute ? 60 : 86_400 }
    }

    /// The last `count` buckets up to and including the current one, oldest first; missing buckets
    /// count zero. One pipeline.
    public func stats(_ unit: StatsUnit, last count: Int, now: Double = Clock.now()) async throws(PetalError) -> [StatsBucket] {
        let current = Int(now) / unit.seconds
        let numbers = Array((current - count + 1)...current)
        let keys = self.keys
        let commands: [[RedisArgument]] = numbers.map { number in
            ["HMGET", RedisArgument(unit == .minute ? keys.statsMinute(number) : keys.statsDay(number))]
                + JobCounts.fieldNames.map { RedisArgument($0) }
        }
        let replies = try await run { connection throws(RedisError) in try connection.pipeline(commands) }
        return zip(numbers, replies).map { number, reply in
            let counts = JobCounts(values: (reply.array ?? []).map(\.string))
            return StatsBucket(start: Double(number * unit.seconds), succeeded: counts.succeeded, failed: counts.failed,
                               retried: counts.retried, revoked: counts.revoked)
        }
    }
}
