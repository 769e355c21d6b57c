import PetalRedis

/// One entry of the event stream (`P:events`, see docs/PROTOCOL.md).
public struct PetalEvent: Sendable, Equatable {
    /// The stream entry id: pass the last one seen to `events(after:)` to read on.
    public var streamID: String
    public var type: String
    public var time: Double
    /// Every other field of the entry (id, task, worker, queue, runtime, exception, ...).
    public var fields: [String: String]
}

extension PetalClient {
    /// Events after `streamID` ("$" for only new ones), waiting up to `block` seconds for the
    /// first. The wait holds one pooled connection, so a tail loop wants a client of its own.
    public func events(after streamID: String, block: Double, count: Int = 500) async throws(PetalError) -> [PetalEvent] {
        let key = keys.events
        let argv: [RedisArgument] = ["XREAD", "COUNT", RedisArgument(count), "BLOCK", RedisArgument(Int(block * 1000)),
                                     "STREAMS", RedisArgument(key), RedisArgument(streamID)]
        let reply: RedisValue
        do { reply = try await redis.blocking(argv, blockSeconds: block) } catch { throw .redis(error) }
        // [[key, [[id, [field, value, ...]], ...]]] or nil on timeout.
        guard let stream = reply.array?.first?.array, stream.count == 2, let entries = stream[1].array else { return [] }
        return entries.compactMap(Self.event(from:))
    }

    /// The newest stream entry id, to start a tail from ("0-0" when the stream is empty).
    public func lastEventID() async throws(PetalError) -> String {
        let key = keys.events
        let reply = try await run { connection throws(RedisError) in
            try connection.command(["XREVRANGE", RedisArgument(key), "+", "-", "COUNT", "1"])
        }
        return reply.array?.first?.array?.first?.string ?? "0-0"
    }

    private static func event(from entry: RedisValue) -> PetalEvent? {
        guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { return nil }
        let fields = parts[1].fieldMap
        return PetalEvent(streamID: id, type: fields["type"] ?? "", time: fields["ts"].flatMap { Double($0) } ?? 0,
                          fields: fields.filter { $0.key != "type" && $0.key != "ts" })
    }
}
