import HummingbirdWebSocket
import NIOCore

/// Joins a message's frames, counting bytes as they come so an oversized message is refused
/// before it is all buffered, and checks what RFC 6455 asks of a receiver that the frames alone
/// do not (hummingbird-websocket hands raw data frames to a reader that does not collate them):
/// a continuation frame must continue a message, a new message must not start inside another,
/// and a text message must be valid UTF-8. Binary messages are read as UTF-8 text like text ones,
/// but bad bytes there are the call's problem (an error reply), not the connection's.
struct MessageReader {
    enum Outcome: Equatable {
        case incomplete
        case tooLarge
        case message(String)
        /// Not JSON text, but the connection is sound: answer with an error and read on.
        case notText
        /// The frames break the protocol: close with 1002 (reason) …
        case protocolError(String)
        /// … or a text message is not UTF-8: close with 1007.
        case invalidUTF8
    }

    let limit: Int
    private var buffer = ByteBuffer()
    /// The opcode of the message being collected, nil between messages.
    private var collecting: WebSocketDataFrame.Opcode?

    init(limit: Int) { self.limit = limit }

    mutating func add(_ frame: WebSocketDataFrame) -> Outcome {
        switch (frame.opcode, collecting) {
        case (.continuation, nil):
            return .protocolError("continuation frame outside a message")
        case (.text, _?), (.binary, _?):
            return .protocolError("a new message began before the last one ended")
        case (.continuation, _?):
            break
        case (let opcode, nil):
            buffer.clear()
            collecting = opcode
        }
        guard buffer.readableBytes + frame.data.readableBytes <= limit else { return .tooLarge }
        var data = frame.data
        buffer.writeBuffer(&data)
        guard frame.fin else { return .incomplete }
        let opcode = collecting
        collecting = nil
        defer { buffer.clear() }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            return opcode == .text ? .invalidUTF8 : .notText
        }
        return .message(text)
    }
}
