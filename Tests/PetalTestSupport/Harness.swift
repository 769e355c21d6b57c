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
}
