import Foundation
import PetalRedis
import PetalSystem

/// A redis-server of the test's own on a free loopback port (never 6379), stopped by pid.
///
/// It runs under a small shell watchdog that stops it when the test process dies, so a test run
/// killed by a timeout leaves no server behind.
public final class RedisServer: Sendable {
    /// A TLS port beside the plaintext one (`--tls-port`), with this certificate and key; clients
    /// must present a certificate signed by `ca` when `requireClientCertificate`.
    public struct TLS: Sendable {
        public var certificate: String
        public var key: String
        public var ca: String
        public var requireClientCertificate: Bool
        public init(certificate: String, key: String, ca: String, requireClientCertificate: Bool = false) {
            self.certificate = certificate
            self.key = key
            self.ca = ca
            self.requireClientCertificate = requireClientCertificate
        }
    }

    public let port: Int
    /// The TLS port, when started with `tls`.
    public let tlsPort: Int?
    public let directory: String
    public let appendOnly: Bool
    /// Made by this server (removed when it goes), rather than handed over by a restart.
    private let ownsDirectory: Bool
    private let watchdog: ChildProcess

    public var url: String { "redis://127.0.0.1:\(port)" }
    /// `rediss://127.0.0.1:<tls port>` (needs `tls`).
    public var tlsURL: String { "rediss://127.0.0.1:\(tlsPort ?? 0)" }
    /// The server also listens on this Unix socket.
    public var socketPath: String { directory + "/redis.sock" }
    public var configuration: RedisConfiguration { RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port)) }

    /// Starts a server and waits until it answers PING.
    /// A port found free can be taken by someone else before redis binds it: then try another.
    /// `launcher` runs the server through another program (`ip netns exec <namespace>`); `bind`
    /// are the addresses it listens on. It is found ready through its Unix socket either way.
    public init(port: Int? = nil, appendOnly: Bool = false, directory: String? = nil, tls: TLS? = nil,
                extraArguments: [String] = [], launcher: [String] = [], bind: [String] = ["127.0.0.1"]) throws {
        self.appendOnly = appendOnly
        ownsDirectory = directory == nil
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("petal-redis-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        var attempt = 0
        while true {
            attempt += 1
            let candidate = try port ?? FreePort.find()
            let tlsCandidate = try tls.map { _ in try FreePort.find() }
            var arguments = ["--port", String(candidate), "--bind"] + bind + ["--dir", self.directory,
                             "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--daemonize", "no", "--loglevel", "warning",
                             "--unixsocket", self.directory + "/redis.sock", "--unixsocketperm", "700"]
            if let tls, let tlsCandidate {
                arguments += ["--tls-port", String(tlsCandidate), "--tls-cert-file", tls.certificate, "--tls-key-file", tls.key,
                              "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", tls.requireClientCertificate ? "yes" : "no"]
            }
            if bind != ["127.0.0.1"] { arguments += ["--protected-mode", "no"] }  // reached from other hosts, without a password
            arguments += extraArguments
            let devNull = open("/dev/null", O_WRONLY)
            defer { close(devNull) }
            let command = launcher + [try Self.serverPath()] + arguments
            let process = try Watchdog.spawn(command[0], arguments: Array(command.dropFirst()), output: devNull)
            if Self.waitUntilReady(socket: self.directory + "/redis.sock", process: process) {
                self.port = candidate
                self.tlsPort = tlsCandidate
                self.watchdog = process
                return
            }
            process.stop(grace: 2)
            if attempt >= 5 { throw HarnessError("redis-server did not start (last port \(candidate))") }
        }
    }

    private static func serverPath() throws -> String {
        for path in ["/usr/bin/redis-server", "/usr/local/bin/redis-server"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw HarnessError("redis-server is not installed (make test installs it)")
    }

    private static func waitUntilReady(socket: String, process: ChildProcess) -> Bool {
        let connection = RedisConnection(configuration: RedisConfiguration(endpoint: .unix(path: socket)))
        for _ in 0..<400 {
            if (try? connection.command("PING")) != nil { return true }
            if process.poll() != nil { return false }  // it exited: the port was taken
            usleep(25_000)
        }
        return false
    }

    /// A plain Redis client of this server, for what a test checks or breaks below the protocol.
    public func redisClient(poolSize: Int = 1) -> RedisClient {
        RedisClient(configuration: configuration, poolSize: poolSize)
    }

    /// This server through its Unix socket (which reaches a server in another network namespace).
    public var socketConfiguration: RedisConfiguration { RedisConfiguration(endpoint: .unix(path: socketPath)) }

    /// A loopback address where no Redis listens, for testing what happens when Redis is down.
    public static func unreachableConfiguration() throws -> RedisConfiguration {
        RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: try FreePort.find()))
    }

    /// Stops the server (SIGTERM, so an append-only file is flushed) and waits for it to exit.
    public func stop() {
        watchdog.stop(grace: 10)
    }

    /// Starts a new server on the same port and directory (its data comes back with appendonly).
    public func restarted() throws -> RedisServer {
        stop()
        return try RedisServer(port: port, appendOnly: appendOnly, directory: directory)
    }

    deinit {
        stop()
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// Runs a program under `/bin/sh` that forwards SIGTERM to it and ends it when our process dies.
public enum Watchdog {
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]? = nil,
                             output: Int32? = nil) throws -> ChildProcess {
        let script = """
            "$@" & child=$!
            trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5 & wait $!; done
            kill -TERM $child 2>/dev/null; wait $child
            """
        let descriptors: [Int32: Int32] = output.map { [1: $0, 2: $0] } ?? [:]
        return try ChildProcess.spawn(executable: "/bin/sh", arguments: ["-c", script, "sh", executable] + arguments,
                                      environment: environment ?? ProcessInfo.processInfo.environment,
                                      descriptors: descriptors)
    }
}

/// What went wrong starting or talking to a server of the harness's own.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A free TCP port on loopback, found by binding to port 0.
public enum FreePort {
    public static func find() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        return port == 6379 ? try find() : port
    }
}
