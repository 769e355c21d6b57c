import Foundation
import Glibc
import PetalTestSupport

/// A WebSocket client that sends its messages and then half-closes the TCP connection (it is done
/// sending, as `shutdown(SHUT_WR)` says), then reads everything the server sends until it closes.
/// Blocking calls, on a thread of its own.
enum HalfClosingSocket {
    struct Outcome: Sendable {
        /// Text messages received, in order.
        let texts: [String]
        /// The code of the server's close frame; nil when it sent none.
        let closeCode: Int?
    }

    /// `awaitBeforeSending`: text messages to read (the snapshot) before the messages go out.
    static func run(port: Int, cookie: String, awaitBeforeSending: Int, messages: [String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runBlocking(port: port, cookie: cookie, awaitBeforeSending: awaitBeforeSending, messages: messages) })
            }.start()
        }
    }

    private static func runBlocking(port: Int, cookie: String, awaitBeforeSending: Int, messages: [String]) throws -> Outcome {
        let descriptor = try LoopbackSocket.connect(port: port)
        defer { close(descriptor) }
        var limit = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: \(cookie)\r\n\r\n"
        try send(descriptor, Array(request.utf8))
        var received: [UInt8] = []
        var headEnd: Int?
        var frames: [(opcode: UInt8, payload: [UInt8])] = []
        var sent = false
        while true {
            if headEnd == nil, let end = received.firstRange(of: [13, 10, 13, 10])?.upperBound {
                guard String(decoding: received[..<end], as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
                    throw TestSupportError("upgrade refused: \(String(decoding: received.prefix(200), as: UTF8.self))")
                }
                headEnd = end
            }
            if let headEnd { frames = parseFrames(Array(received[headEnd...])) }
            if !sent, frames.filter({ $0.opcode == 1 }).count >= awaitBeforeSending, headEnd != nil {
                for message in messages { try send(descriptor, maskedTextFrame(message)) }
                shutdown(descriptor, Int32(SHUT_WR))
                sent = true
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &chunk, chunk.count)
            if count == 0 { break }
            guard count > 0 else { throw TestSupportError("no end from the server within 30 s (errno \(errno))") }
            received += chunk[0..<count]
        }
        let close = frames.first { $0.opcode == 8 }
        return Outcome(texts: frames.filter { $0.opcode == 1 }.map { String(decoding: $0.payload, as: UTF8.self) },
                       closeCode: close.flatMap { $0.payload.count >= 2 ? Int($0.payload[0]) << 8 | Int($0.payload[1]) : nil })
    }

    private static func send(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestSupportError("send failed (errno \(errno))") }
            sent += count
        }
    }

    private static func maskedTextFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 { frame.append(0x80 | UInt8(payload.count)) }
        else { frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    /// The whole (unmasked, server-sent) frames in `bytes`.
    private static func parseFrames(_ bytes: [UInt8]) -> [(opcode: UInt8, payload: [UInt8])] {
        var frames: [(opcode: UInt8, payload: [UInt8])] = []
        var at = 0
        while at + 2 <= bytes.count {
            var length = Int(bytes[at + 1] & 0x7F)
            var start = at + 2
            if length == 126 {
                guard start + 2 <= bytes.count else { break }
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= bytes.count else { break }
                length = bytes[start..<start + 8].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { break }
            frames.append((bytes[at] & 0x0F, Array(bytes[start..<start + length])))
            at = start + length
        }
        return frames
    }
}
