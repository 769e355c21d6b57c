import Petal
import PetalRedis

/// A test that plays a worker's part by calling the protocol's scripts directly, on a connection
/// of its own to a fresh redis-server.
public protocol ScriptCaller {
    var connection: RedisConnection { get }
    var keys: Keys { get }
}

extension ScriptCaller {
    /// Runs `script` with the prefix and the current time first, as every Petal program does.
    public func script(_ script: RedisScript, _ arguments: [String]) throws -> RedisValue {
        try connection.evaluate(script, arguments: ([keys.prefix, Clock.text(Clock.now())] + arguments).map { RedisArgument($0) })
    }

    /// A fresh redis-server, a client and a script connection to it.
    public static func freshRedis() throws -> (RedisServer, PetalClient, RedisConnection) {
        let server = try RedisServer()
        return (server, server.petalClient(poolSize: 2), RedisConnection(configuration: server.configuration))
    }
}
