import PetalRedis

/// One call of a function of Petal's library: it builds the function's arguments and reads its
/// reply, so no program spells argument positions. docs/PROTOCOL.md lists each function.
public protocol PetalCall: Sendable {
    associatedtype Reply: Sendable
    /// The library function this call runs.
    static var function: PetalFunction { get }
    /// The arguments after the key prefix and the clock, in the function's order.
    var arguments: [RedisArgument] { get }
    /// The reply read; throws `RedisError.unexpectedReply` for a reply of another shape.
    static func decode(_ reply: RedisValue) throws(RedisError) -> Reply
}

extension RedisConnection {
    /// Runs `call` on this connection with `keys`' prefix and the clock at `now`.
    public func call<Call: PetalCall>(_ call: Call, keys: Keys, now: Double = Clock.now()) throws(RedisError) -> Call.Reply {
        let reply = try callFunction(Call.function.redisName, in: PetalLibrary.library,
                                     arguments: PetalLibrary.arguments(call, keys: keys, now: now))
        return try Call.decode(reply)
    }

    /// Runs several calls in one round trip; throws the first error reply (after reading them all).
    public func call<Call: PetalCall>(each calls: [Call], keys: Keys, now: Double = Clock.now()) throws(RedisError) -> [Call.Reply] {
        let replies = try callFunctions(calls.map { (Call.function.redisName, [], PetalLibrary.arguments($0, keys: keys, now: now)) },
                                        in: PetalLibrary.library)
        var decoded: [Call.Reply] = []
        decoded.reserveCapacity(replies.count)
        for reply in replies { decoded.append(try Call.decode(try reply.orThrow())) }
        return decoded
    }
}

extension RedisValue {
    /// The reply as an array, or an `unexpectedReply` naming the function that answered.
    func expectArray(from function: PetalFunction) throws(RedisError) -> [RedisValue] {
        guard let values = array else { throw .unexpectedReply("\(function.redisName) answered \(self), not an array") }
        return values
    }

    /// The reply as an integer, or an `unexpectedReply` naming the function that answered.
    func expectInt(from function: PetalFunction) throws(RedisError) -> Int {
        guard let value = int else { throw .unexpectedReply("\(function.redisName) answered \(self), not an integer") }
        return value
    }
}
