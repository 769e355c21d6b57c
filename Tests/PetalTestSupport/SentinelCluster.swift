import Foundation
import Petal
import PetalRedis
import PetalSystem

/// Redis with Sentinel on loopback, as Debian's redis-sentinel runs it: one primary, one replica
/// and three sentinels (quorum 2) that declare a primary down after a second.
public final class SentinelCluster: Sendable {
    public static let masterName = "petal-primary"
    public let primary: RedisServer
    public let replica: RedisServer
    public let sentinelPorts: [Int]
    private let sentinels: [ChildProcess]
    private let directory: String

    /// `redis+sentinel://127.0.0.1:<s1>,…/petal-primary`.
    public var url: String {
        "redis+sentinel://" + sentinelPorts.map { "127.0.0.1:\($0)" }.joined(separator: ",") + "/" + Self.masterName
    }

    /// A Petal client that finds the primary through the sentinels (as the programs do).
    public func petalClient(poolSize: Int = 2) throws -> PetalClient {
        PetalClient(redis: RedisClient(configuration: try RedisConfiguration(url: url), poolSize: poolSize))
    }

    public init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-sentinel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        primary = try RedisServer()
        replica = try RedisServer(extraArguments: ["--replicaof", "127.0.0.1", String(primary.port)])
        var ports: [Int] = []
        var started: [ChildProcess] = []
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        for index in 0..<3 {
            let port = try FreePort.find()
            let file = "\(directory)/sentinel-\(index).conf"
            try """
                port \(port)
                bind 127.0.0.1
                daemonize no
                dir \(directory)
                sentinel monitor \(Self.masterName) 127.0.0.1 \(primary.port) 2
                sentinel down-after-milliseconds \(Self.masterName) 1000
                sentinel failover-timeout \(Self.masterName) 10000
                sentinel parallel-syncs \(Self.masterName) 1

                """.write(toFile: file, atomically: true, encoding: .utf8)
            started.append(try Watchdog.spawn(try Self.serverPath(), arguments: [file, "--sentinel"], output: devNull))
            ports.append(port)
        }
        sentinels = started
        sentinelPorts = ports
        // Ready when every sentinel names the primary and knows the replica and the two others
        // (they find each other through the primary's hello channel every two seconds).
        let sentinelPorts = ports
        try await Eventually.wait("sentinels ready", timeout: 60, interval: 0.2) {
            for port in sentinelPorts {
                let sentinel = RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port)))
                defer { sentinel.close() }
                let replicas = try sentinel.command(["SENTINEL", "replicas", RedisArgument(Self.masterName)]).array?.count ?? 0
                let others = try sentinel.command(["SENTINEL", "sentinels", RedisArgument(Self.masterName)]).array?.count ?? 0
                if replicas < 1 || others < 2 { return false }
            }
            return true
        }
        try await waitForReplicaInSync()
    }

    /// Until the replica has everything the primary wrote.
    public func waitForReplicaInSync() async throws {
        let primary = RedisConnection(configuration: self.primary.configuration)
        let replica = RedisConnection(configuration: self.replica.configuration)
        try await Eventually.wait("replica in sync", timeout: 30, interval: 0.1) {
            let wanted = Self.field("master_repl_offset", try primary.command("INFO", "replication").string ?? "")
            let have = Self.field("master_repl_offset", try replica.command("INFO", "replication").string ?? "")
            let link = Self.field("master_link_status", try replica.command("INFO", "replication").string ?? "")
            return link == "up" && wanted != nil && wanted == have
        }
    }

    /// The pid of the redis-server process itself (not its watchdog), from INFO.
    public static func serverPID(_ server: RedisServer) throws -> Int32 {
        let info = try RedisConnection(configuration: server.configuration).command("INFO", "server").string ?? ""
        guard let pid = field("process_id", info).flatMap({ Int32($0) }) else { throw TestSupportError("no process_id in INFO") }
        return pid
    }

    /// Which server the sentinels name as primary now.
    public func currentPrimaryPort() throws -> Int? {
        for port in sentinelPorts {
            let sentinel = RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port)))
            defer { sentinel.close() }
            if let reply = try? sentinel.command(["SENTINEL", "get-master-addr-by-name", RedisArgument(Self.masterName)]).array,
               reply.count == 2, let port = reply[1].int { return port }
        }
        return nil
    }

    static func field(_ name: String, _ info: String) -> String? {
        info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)) }
    }

    private static func serverPath() throws -> String {
        for path in ["/usr/bin/redis-sentinel", "/usr/bin/redis-server"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw TestSupportError("redis-server is not installed (make test installs it)")
    }

    deinit {
        for sentinel in sentinels { _ = sentinel.stop(grace: 5) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
