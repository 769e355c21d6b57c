import Foundation

/// Reads a Server-Sent Events stream over a plain TCP connection, for tests of live pages.
public final class EventStreamReader {
    private let descriptor: Int32
    private var buffer = ""

    /// Connects to 127.0.0.1:`port` and sends `GET path` with the given cookie.
    public init(port: Int, path: String, cookie: String?) throws {
        descriptor = try LoopbackSocket.connect(port: port)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let cookie { request += "Cookie: \(cookie)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(descriptor, $0, strlen($0), 0) }
    }

    deinit { close(descriptor) }

    /// Everything received so far (headers and events), after reading what has arrived.
    public func received() -> String {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { break }
            buffer += String(decoding: chunk[0..<count], as: UTF8.self)
        }
        return buffer
    }
}
