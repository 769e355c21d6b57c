import Foundation
import Synchronization

/// The async face of Redis: a pool of connections, each owned by a dedicated thread.
///
/// A call hands a closure to an idle connection thread and suspends until it has run, so blocking
/// hiredis I/O never runs on Swift's cooperative pool or on a NIO event loop. Each hop costs a
/// thread wake-up, so batch work: `pipeline` and `withConnection` do many commands in one hop.
public final class RedisClient: Sendable {
    public typealias Work = @Sendable (RedisConnection) -> Void

    public let configuration: RedisConfiguration
    private let queue = WorkQueue<Work>()
    private let threadCount: Int

    /// - Parameter poolSize: connections (and threads) in the pool.
    public init(configuration: RedisConfiguration, poolSize: Int = 4) {
        self.configuration = configuration
        self.threadCount = max(1, poolSize)
        for index in 0..<threadCount {
            let queue = self.queue
            let thread = Thread {
                let connection = RedisConnection(configuration: configuration)
                while let work = queue.pop() { work(connection) }
                connection.close()
            }
            thread.name = "petal-redis-\(index)"
            thread.start()
        }
    }

    public convenience init(url: String, poolSize: Int = 4) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), poolSize: poolSize)
    }

    deinit { queue.close(consumers: threadCount) }

    /// Stops the pool's threads once queued work is done. Later calls throw `RedisError.closed`.
    public func shutdown() { queue.close(consumers: threadCount) }

    /// Runs `body` on a pooled connection's thread and returns its result.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T) async throws(RedisError) -> T {
        let result: Result<T, RedisError> = await withCheckedContinuation { continuation in
            let accepted = queue.push { connection in
                do throws(RedisError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// One command; an error reply throws `RedisError.server`.
    @discardableResult
    public func command(_ argv: [RedisArgument]) async throws(RedisError) -> RedisValue {
        try await withConnection { connection throws(RedisError) in try connection.command(argv) }
    }

    @discardableResult
    public func command(_ strings: String...) async throws(RedisError) -> RedisValue {
        let argv = strings.map { RedisArgument($0) }
        return try await withConnection { connection throws(RedisError) in try connection.command(argv) }
    }

    /// Many commands in one round trip; error replies stay in place in the result.
    public func pipeline(_ commands: [[RedisArgument]]) async throws(RedisError) -> [RedisValue] {
        try await withConnection { connection throws(RedisError) in try connection.pipeline(commands) }
    }

    /// A Lua script by SHA, loaded on NOSCRIPT.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = [])
        async throws(RedisError) -> RedisValue {
        try await withConnection { connection throws(RedisError) in
            try connection.evaluate(script, keys: keys, arguments: arguments)
        }
    }

    /// A blocking command (BLPOP, BLMOVE, ...). It holds one pooled connection while it blocks.
    public func blocking(_ argv: [RedisArgument], blockSeconds: Double) async throws(RedisError) -> RedisValue {
        try await withConnection { connection throws(RedisError) in
            try connection.blocking(argv, blockSeconds: blockSeconds)
        }
    }

    /// Subscribes to channels and patterns on a connection and thread of its own.
    public func subscribe(channels: [String] = [], patterns: [String] = []) -> RedisSubscription {
        RedisSubscription(configuration: configuration, channels: channels, patterns: patterns)
    }
}
