import Foundation
import PetalSystem

/// The runner's control socket: a Unix socket (mode 0600, so only the same user) taking one line
/// per connection: `ps`, `scale worker=4[,web=2]`, `restart worker.2`, `stop worker.2`. The answer
/// is one line of JSON: `{"ok": ...}` or `{"error": "..."}`.
final class ControlSocket {
    let path: String
    private let listener: Int32
    private var clients: [Int32: [UInt8]] = [:]

    init(path: String) throws {
        self.path = path
        // One folder level at most (the default .petal/); a deeper missing path is a mistake to report.
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: false)
        if UnixSocket.isLive(path) { throw RunnerError.control("another runner is listening on \(path)") }
        // Only a stale socket is replaced: a path that names a file (a mistyped --socket, a hostile
        // .env) must never be deleted.
        var status = stat()
        if lstat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFSOCK else {
                throw RunnerError.control("\(path) exists and is not a socket: refusing to replace it (choose another --socket)")
            }
            unlink(path)
        }
        listener = try UnixSocket.listen(path: path)
        chmod(path, 0o600)
    }

    var descriptors: [Int32] { [listener] + Array(clients.keys) }

    func close() {
        for client in clients.keys { Glibc.close(client) }
        Glibc.close(listener)
        unlink(path)
    }

    /// Accepts new connections and answers every complete request.
    func serve(_ runner: Runner) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { break }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            clients[client] = []
        }
        var chunk = [UInt8](repeating: 0, count: 4096)
        for (client, buffer) in clients {
            let count = read(client, &chunk, chunk.count)
            if count == 0 || (count < 0 && errno != EAGAIN) {
                Glibc.close(client)
                clients[client] = nil
                continue
            }
            guard count > 0 else { continue }
            let received = buffer + chunk[0..<count]
            guard let newline = received.firstIndex(of: 10) else {
                clients[client] = received.count > 4096 ? nil : received
                continue
            }
            let request = String(decoding: received[..<newline], as: UTF8.self)
            _ = writeAll(client, Array((runner.answer(request) + "\n").utf8))
            Glibc.close(client)
            clients[client] = nil
        }
    }
}

/// Unix stream sockets, client and server side.
public enum UnixSocket {
    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw RunnerError.control("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    static func listen(path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw RunnerError.control("cannot create a socket") }
        var address = try address(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw RunnerError.control("cannot listen on \(path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    static func connect(path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RunnerError.control("cannot create a socket") }
        var address = try address(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw RunnerError.control("no runner is listening on \(path) (start one with `petal start`)")
        }
        return descriptor
    }

    static func isLive(_ path: String) -> Bool {
        guard let descriptor = try? connect(path: path) else { return false }
        close(descriptor)
        return true
    }

    /// Sends one request line and returns the one-line answer.
    public static func request(_ line: String, path: String) throws -> String {
        let descriptor = try connect(path: path)
        defer { close(descriptor) }
        _ = writeAll(descriptor, Array((line + "\n").utf8))
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { break }
            answer.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: answer, as: UTF8.self).trimmingWhitespace()
    }
}
