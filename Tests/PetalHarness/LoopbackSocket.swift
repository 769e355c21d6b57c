import Foundation

/// A TCP connection to 127.0.0.1, for tests and the bench that speak HTTP below URLSession.
public enum LoopbackSocket {
    public static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw HarnessError("cannot connect to port \(port): \(reason)")
        }
        return descriptor
    }

    /// Whether a server accepts connections on the port yet.
    public static func isListening(port: Int) -> Bool {
        guard let descriptor = try? connect(port: port) else { return false }
        close(descriptor)
        return true
    }
}

/// One HTTP/1.1 exchange with `Connection: close`, done with blocking calls on a thread of its own
/// (never on the cooperative pool, which the server under test needs). Used where Foundation's
/// URLSession on Linux falls short: chromedriver's header lines (`Content-Length:249`, no space)
/// and 401 answers, on which it waits for credentials forever.
public enum WireHTTP {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: String
        public let body: String
    }

    public static func exchange(port: Int, method: String = "GET", path: String, body: String? = nil,
                                headers: [String: String] = [:], timeout: Double = 30) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try exchangeBlocking(port: port, method: method, path: path, body: body, headers: headers, timeout: timeout)
                })
            }
            thread.start()
        }
    }

    private static func exchangeBlocking(port: Int, method: String, path: String, body: String?, headers: [String: String],
                                         timeout: Double) throws -> Reply {
        let descriptor = try LoopbackSocket.connect(port: port)
        defer { close(descriptor) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let payload = Array((body ?? "").utf8)
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if body != nil { request += "Content-Type: application/json\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "Content-Length: \(payload.count)\r\n\r\n"
        let bytes = Array(request.utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw HarnessError("\(method) \(path): send failed") }
            sent += count
        }
        // Read until the body is as long as Content-Length says: chromedriver keeps the connection open.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let headerEnd = text.range(of: "\r\n\r\n") {
                let headers = text[..<headerEnd.lowerBound].lowercased()
                let length = headers.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                if let length, text[headerEnd.upperBound...].utf8.count >= length { break }
            }
            let count = read(descriptor, &chunk, chunk.count)
            if count == 0 { break }
            guard count > 0 else { throw HarnessError("\(method) \(path): no answer within \(timeout) s") }
            received += chunk[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let headerEnd = text.range(of: "\r\n\r\n"),
              let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap({ Int($0) }) else {
            throw HarnessError("\(method) \(path): not an HTTP answer: \(text.prefix(200))")
        }
        return Reply(status: status, headers: String(text[..<headerEnd.lowerBound]), body: String(text[headerEnd.upperBound...]))
    }
}

extension WireHTTP {
    /// Sends `bytes` exactly as given (a hostile request: a lying Content-Length, broken chunks),
    /// closes the sending side, and returns whatever came back until the server closed.
    public static func raw(port: Int, _ bytes: [UInt8], timeout: Double = 10) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let descriptor = try LoopbackSocket.connect(port: port)
                    defer { close(descriptor) }
                    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
                    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    var sent = 0
                    while sent < bytes.count {
                        let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        guard count > 0 else { break }
                        sent += count
                    }
                    shutdown(descriptor, Int32(SHUT_WR))
                    var received: [UInt8] = []
                    var chunk = [UInt8](repeating: 0, count: 65_536)
                    while true {
                        let count = read(descriptor, &chunk, chunk.count)
                        if count <= 0 { break }
                        received += chunk[0..<count]
                    }
                    return String(decoding: received, as: UTF8.self)
                })
            }.start()
        }
    }

    /// The status code of the first answer in `text` (0 when there is none).
    public static func status(of text: String) -> Int {
        guard text.hasPrefix("HTTP/") else { return 0 }
        return text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
    }
}
