import Foundation
import Petal
import PetalRedis

/// A test that plays a worker (or any program) through the library's functions, on a connection of its own.
public protocol LibraryCaller {
    var connection: RedisConnection { get }
    var keys: Keys { get }
}

extension LibraryCaller {
    /// Runs `call` with the prefix and the current time first, as every Petal program does.
    public func call<Call: PetalCall>(_ call: Call) throws -> Call.Reply {
        try connection.call(call, keys: keys)
    }

    /// A fresh redis-server, a client and a connection to it.
    public static func freshRedis() throws -> (RedisServer, PetalClient, RedisConnection) {
        let server = try RedisServer()
        return (server, server.petalClient(poolSize: 2), RedisConnection(configuration: server.configuration))
    }
}
