import Foundation
import Synchronization

/// A WebSocket client (RFC 6455) on a blocking loopback socket, for tests and the bench. Written
/// here rather than taken from swift-websocket's WSClient because WSClient always sends
/// `Origin: <scheme>://<host>` without the port and appends, not replaces, an Origin of ours, so it
/// cannot look like a page of the server it talks to (which a same-origin check rightly refuses);
/// and it keeps NIOSSL out of the test build. Blocking calls: use it from threads of your own,
/// never the cooperative pool (`WebSocketConnection` does that).
public enum WebSocketWire {
    /// The server did not switch protocols: its status line and headers, and the start of the body.
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public let status: Int
        public let answer: String
        public var description: String { "WebSocket upgrade refused: \(answer.prefix(300))" }
    }

    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        /// The server's close frame: its code (nil when it sent none) and reason.
        case close(code: Int?, reason: String)
    }

    /// Connects to 127.0.0.1:`port` and upgrades `path`. Blocks until the answer.
    public static func open(port: Int, path: String = "/ws", headers: [String: String] = [:],
                            timeout: Double = 15) throws -> (WebSocketWriter, WebSocketReader) {
        let descriptor = try LoopbackSocket.connect(port: port)
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let writer = WebSocketWriter(descriptor: descriptor)
        do {
            try writer.write(Array(request.utf8))
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while received.firstRange(of: [13, 10, 13, 10]) == nil {
                let count = read(descriptor, &chunk, chunk.count)
                guard count > 0 else { throw HarnessError("no upgrade answer from port \(port)") }
                received += chunk[0..<count]
            }
            let end = received.firstRange(of: [13, 10, 13, 10])!.upperBound
            let head = String(decoding: received[..<end], as: UTF8.self)
            let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            guard status == 101 else {
                throw Refused(status: status, answer: head + String(decoding: received[end...].prefix(300), as: UTF8.self))
            }
            return (writer, WebSocketReader(descriptor: descriptor, writer: writer, buffered: Array(received[end...])))
        } catch {
            writer.shutdown()
            throw error
        }
    }
}

/// The sending half: frames are masked, as a client's must be; writes from several threads are
/// serialized.
public final class WebSocketWriter: Sendable {
    let descriptor: Int32
    private let lock = Mutex<Bool>(false)  // true once shut down

    init(descriptor: Int32) { self.descriptor = descriptor }

    public func send(text: String) throws { try sendFrame(opcode: 0x1, payload: Array(text.utf8)) }

    /// One frame as given: a text frame is 0x1, a continuation 0x0, close 0x8, pong 0xA.
    public func sendFrame(opcode: UInt8, payload: [UInt8], fin: Bool = true) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let count = payload.count
        if count < 126 { frame.append(0x80 | UInt8(count)) }
        else if count <= 0xFFFF { frame += [0x80 | 126, UInt8(count >> 8), UInt8(count & 0xFF)] }
        else { frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8((count >> ($0 * 8)) & 0xFF) } }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        try write(frame)
    }

    /// Sends a close frame with `code`.
    public func close(code: UInt16 = 1000) {
        try? sendFrame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)])
    }

    /// Closes the socket (a blocked reader then ends).
    public func shutdown() {
        let first = lock.withLock { done in defer { done = true }; return !done }
        if first {
            Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
            Glibc.close(descriptor)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try lock.withLock { done in
            guard !done else { throw HarnessError("the WebSocket is closed") }
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard count > 0 else { throw HarnessError("WebSocket send failed (errno \(errno))") }
                sent += count
            }
        }
    }
}

/// The receiving half: whole messages, pings answered, the close frame. A value one thread owns
/// (copies share the socket, so only one copy may read).
public struct WebSocketReader: Sendable {
    let descriptor: Int32
    let writer: WebSocketWriter
    private var buffer: [UInt8]
    private var start = 0

    init(descriptor: Int32, writer: WebSocketWriter, buffered: [UInt8]) {
        self.descriptor = descriptor
        self.writer = writer
        self.buffer = buffered
    }

    /// The next message, or nil when the connection ended without a close frame. Waits as long as
    /// it takes: `WebSocketWriter.shutdown()` ends the wait.
    public mutating func next() throws -> WebSocketWire.Message? {
        var message: [UInt8] = []
        var messageOpcode: UInt8 = 0
        while true {
            guard let header = try take(2) else { return nil }
            let fin = header[0] & 0x80 != 0
            let opcode = header[0] & 0x0F
            var length = Int(header[1] & 0x7F)
            if length == 126 { guard let more = try take(2) else { return nil }; length = Int(more[0]) << 8 | Int(more[1]) }
            else if length == 127 { guard let more = try take(8) else { return nil }; length = more.reduce(0) { $0 << 8 | Int($1) } }
            let mask = header[1] & 0x80 != 0 ? try take(4) : nil
            guard var payload = try take(length) else { return nil }
            if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset & 3] } }
            switch opcode {
            case 0x8:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
                writer.close(code: UInt16(code ?? 1000))
                return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
            case 0x9: try writer.sendFrame(opcode: 0xA, payload: payload)
            case 0xA: continue
            default:
                if opcode != 0 { messageOpcode = opcode }
                message += payload
                if fin { return messageOpcode == 0x2 ? .binary(message) : .text(String(decoding: message, as: UTF8.self)) }
            }
        }
    }

    private mutating func take(_ count: Int) throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while buffer.count - start < count {
            let got = read(descriptor, &chunk, chunk.count)
            if got == 0 { return nil }
            guard got > 0 else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { continue }  // a quiet spell: keep waiting
                return nil
            }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            buffer += chunk[0..<got]
        }
        defer { start += count }
        return Array(buffer[start..<start + count])
    }
}
