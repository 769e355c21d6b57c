import HummingbirdWebSocket
import NIOCore

/// Joins a message's frames, counting bytes as they come so an oversized message is refused
/// before it is all buffered. Binary messages are read as UTF-8 text like text ones.
struct MessageReader {
    enum Outcome { case incomplete, tooLarge, message(String) }

    let limit: Int
    private var buffer = ByteBuffer()

    init(limit: Int) { self.limit = limit }

    mutating func add(_ frame: WebSocketDataFrame) -> Outcome {
        if frame.opcode != .continuation { buffer.clear() }
        guard buffer.readableBytes + frame.data.readableBytes <= limit else { return .tooLarge }
        var data = frame.data
        buffer.writeBuffer(&data)
        guard frame.fin else { return .incomplete }
        defer { buffer.clear() }
        return .message(String(buffer: buffer))
    }
}
