/// One reply from Redis, converted from hiredis's `redisReply` at once so no C memory outlives a call.
public enum RedisValue: Sendable, Equatable {
    case null
    case status(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8])
    case array([RedisValue])

    /// The reply as text: bulk strings, status replies and integers.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The reply as an integer: integer replies and bulk strings that hold one.
    public var int: Int? {
        switch self {
        case .integer(let value): return value
        case .bulk, .status: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .bulk, .status: return string.flatMap { Double($0) }
        default: return nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A flat array of field/value pairs (HGETALL, XRANGE entries) as a dictionary.
    public var fieldMap: [String: String] {
        guard let values = array else { return [:] }
        var map: [String: String] = [:]
        map.reserveCapacity(values.count / 2)
        var index = 0
        while index + 1 < values.count {
            if let key = values[index].string { map[key] = values[index + 1].string }
            index += 2
        }
        return map
    }

    /// Throws when the reply is an error reply; otherwise returns it unchanged.
    @discardableResult
    public func orThrow() throws(RedisError) -> RedisValue {
        if case .error(let message) = self { throw RedisError.server(message) }
        return self
    }
}
