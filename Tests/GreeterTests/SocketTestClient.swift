import Foundation
import Petal
import PetalTestSupport
import Synchronization

/// A WebSocket conversation with the greeter's `/ws`, for scripting tests: send calls, wait for
/// the answers and pushes that arrive, see how it closed. The socket is read on a thread of its
/// own, off the cooperative pool the server under test needs.
final class SocketTestClient: Sendable {
    /// How the connection ended: the server's close frame (code, reason), or nil code for a bare EOF.
    struct Ending: Sendable, Equatable {
        let code: Int?
        let reason: String
    }

    private final class Record: Sendable {
        let inbox = Mutex<[JSONValue]>([])
        let ending = Mutex<Ending?>(nil)
    }

    private let writer: WebSocketWriter
    private let record: Record

    private init(writer: WebSocketWriter, record: Record) {
        self.writer = writer
        self.record = record
    }

    deinit { writer.shutdown() }

    /// Connects with `cookie` (the `greeter_visitor=…` pair) and, as a browser would, an `Origin`
    /// (default: the greeter's own). Throws `WebSocketWire.Refused` when the upgrade is refused.
    static func connect(port: Int, cookie: String?, origin: String? = "") async throws -> SocketTestClient {
        var headers: [String: String] = [:]
        if let cookie { headers["Cookie"] = cookie }
        if let origin { headers["Origin"] = origin.isEmpty ? "http://127.0.0.1:\(port)" : origin }
        let record = Record()
        let request = headers
        let writer: WebSocketWriter = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                var reader: WebSocketReader
                do {
                    let (writer, opened) = try WebSocketWire.open(port: port, headers: request)
                    reader = opened
                    continuation.resume(returning: writer)
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                while true {
                    switch try? reader.next() {
                    case .text(let text)?:
                        if let value = try? JSONValue(parsing: text) { record.inbox.withLock { $0.append(value) } }
                    case .binary?:
                        continue
                    case .close(let code, let reason)?:
                        record.ending.withLock { $0 = Ending(code: code, reason: reason) }
                        return
                    case nil:
                        record.ending.withLock { $0 = $0 ?? Ending(code: nil, reason: "") }
                        return
                    }
                }
            }
            thread.start()
        }
        return SocketTestClient(writer: writer, record: record)
    }

    func send(_ text: String) { try? writer.send(text: text) }

    /// A normal close from this side (the server answers with its own close frame).
    func close() { writer.close() }

    /// One raw frame (opcode 1 text, 2 binary, 0 continuation), for frames no browser would send.
    func sendFrame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true) { try? writer.sendFrame(opcode: opcode, payload: payload, fin: fin) }

    func call(_ id: Int, _ function: String, _ args: JSONValue = [:]) {
        send(JSONValue.object(["id": .number(Double(id)), "call": .string(function), "args": args]).jsonText)
    }

    /// Everything received so far, in order.
    var received: [JSONValue] { record.inbox.withLock { $0 } }

    /// The answer to call `id`, waiting for it.
    func answer(_ id: Int, timeout: Double = 15) async throws -> JSONValue {
        try await first("the answer to call \(id)", timeout: timeout, interval: 0.002) { $0["id"] == .number(Double(id)) }
    }

    /// The first message received matching `predicate`, waiting for it.
    func first(_ what: String, timeout: Double = 15, interval: Double = 0.02,
               where predicate: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        var found: JSONValue?
        try await Eventually.wait(what, timeout: timeout, interval: interval) {
            found = received.first(where: predicate)
            return found != nil
        }
        return found!
    }

    /// How the connection ended, or nil while it is open.
    var end: Ending? { record.ending.withLock { $0 } }

    func waitForEnd(timeout: Double = 15) async throws -> Ending {
        try await Eventually.wait("the socket to close", timeout: timeout) { end != nil }
        return end!
    }
}
