@_exported import PetalHarness
import Petal
import PetalRedis

// The harness (Tests/PetalHarness: redis-server on a free port, the loopback HTTP and WebSocket
// clients) is shared with the bench; every test sees it through this module, as before it moved.

/// Errors of the test support's own (the harness's, by their old name).
public typealias TestSupportError = HarnessError

extension RedisServer {
    /// A Petal client of this server.
    public func petalClient(poolSize: Int = 2, keys: Keys = Keys()) -> PetalClient {
        PetalClient(configuration: configuration, poolSize: poolSize, keys: keys)
    }

    /// A Petal client of this server through its Unix socket (which reaches a server in another network namespace).
    public func socketPetalClient(poolSize: Int = 2) -> PetalClient {
        PetalClient(configuration: socketConfiguration, poolSize: poolSize)
    }
}
