/// What went wrong talking to Redis. Every case says what failed; none of them is fatal to the caller.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL could not be understood.
    case invalidURL(String)
    /// A setting beside the URL (a flag or environment variable) is wrong.
    case invalidSetting(String)
    /// Could not connect, or the connection broke (Redis down, restarted, network error, timeout).
    case connection(String)
    /// Redis answered with an error reply (WRONGTYPE, NOSCRIPT, a Lua error, ...).
    case server(String)
    /// The reply did not have the shape the caller expected.
    case unexpectedReply(String)
    /// The client was shut down.
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let detail): return "invalid Redis URL: \(detail)"
        case .invalidSetting(let detail): return "invalid Redis setting: \(detail)"
        case .connection(let detail): return "Redis connection failed: \(detail)"
        case .server(let message): return "Redis error: \(message)"
        case .unexpectedReply(let detail): return "unexpected Redis reply: \(detail)"
        case .closed: return "Redis client is closed"
        }
    }

    /// True when the same call may succeed shortly: the connection failed, or Redis is still
    /// loading its data after a restart (LOADING), busy with a script (BUSY), or a replica during
    /// a failover (READONLY; `RedisConnection` reconnects to the primary on it), or too few replicas
    /// confirmed a write in the durability mode (NOREPLICAS).
    public var isTransient: Bool {
        switch self {
        case .connection: return true
        case .server(let message): return ["LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY", "NOREPLICAS"].contains { message.hasPrefix($0) }
        default: return false
        }
    }

    /// True when Redis refused a write for want of memory (maxmemory with noeviction).
    public var isOutOfMemory: Bool {
        if case .server(let message) = self { return message.hasPrefix("OOM") }
        return false
    }

    /// True when Redis wants credentials this client did not give (NOAUTH) or refuses them.
    public var isAuthenticationFailure: Bool {
        if case .server(let message) = self {
            return ["NOAUTH", "WRONGPASS", "NOPERM", "ERR AUTH", "ERR invalid password"].contains { message.hasPrefix($0) }
        }
        return false
    }

    /// True when the ACL user may not run a command or touch a key (NOPERM). The message names
    /// the command Redis refused (`RedisConnection` adds it when Redis does not).
    public var isPermissionDenied: Bool {
        if case .server(let message) = self { return message.hasPrefix("NOPERM") }
        return false
    }

    /// True when retrying after a reconnect may succeed.
    public var isConnectionError: Bool {
        if case .connection = self { return true }
        return false
    }
}
