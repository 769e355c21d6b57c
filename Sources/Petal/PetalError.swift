import PetalRedis

/// Errors of the client API.
public enum PetalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Redis failed (unreachable, or an error reply); the wrapped error says which.
    case redis(RedisError)
    /// The request was refused before anything was written.
    case invalidRequest(String)
    /// No job with this id.
    case jobNotFound(String)
    /// Redis answered something the protocol does not allow.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .redis(let error): return error.description
        case .invalidRequest(let message): return "invalid request: \(message)"
        case .jobNotFound(let id): return "no job with id \(id)"
        case .protocolViolation(let message): return "protocol violation: \(message)"
        }
    }

    /// Redis is full (maxmemory, noeviction): nothing can be written until memory is freed.
    public var isRedisOutOfMemory: Bool {
        if case .redis(let error) = self { return error.isOutOfMemory }
        return false
    }

    public var isRedisUnavailable: Bool {
        if case .redis(let error) = self { return error.isConnectionError || error.isAuthenticationFailure }
        return false
    }
}
