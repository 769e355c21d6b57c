import Foundation
import PetalRedis

extension PetalClient {
    /// Sends a control command and collects the replies for up to `timeout` seconds, or until every
    /// addressed worker (or every worker listening, for a broadcast) has answered.
    public func control(_ command: ControlCommand, destination: [String]? = nil, timeout: Double = 1) async throws(PetalError) -> [ControlReply] {
        var message = ControlMessage(command: command, destination: destination, replyTo: nil)
        let replyKey = keys.reply(message.id)
        message.replyTo = replyKey
        let addressed = message
        let listeners = try await run { [keys] connection throws(RedisError) in
            try connection.command(["PUBLISH", RedisArgument(keys.controlChannel), RedisArgument(addressed.json)]).int ?? 0
        }
        let expected = min(listeners, destination?.count ?? listeners)
        var replies: [ControlReply] = []
        let deadline = Clock.now() + timeout
        while replies.count < expected {
            let remaining = deadline - Clock.now()
            if remaining <= 0 { break }
            let block = max(0.01, remaining)
            let popped = try await run { connection throws(RedisError) in
                try connection.blocking(["BLPOP", RedisArgument(replyKey), RedisArgument(String(format: "%.3f", block))], blockSeconds: block)
            }
            guard let text = popped.array?.last?.string else { break }
            if let reply = ControlReply(json: text) { replies.append(reply) }
        }
        _ = try? await run { connection throws(RedisError) in try connection.command(["DEL", RedisArgument(replyKey)]) }
        return replies
    }

    /// Sends a control command without waiting for replies. Returns how many workers heard it.
    @discardableResult
    public func broadcast(_ command: ControlCommand, destination: [String]? = nil) async throws(PetalError) -> Int {
        let message = ControlMessage(command: command, destination: destination, replyTo: nil)
        return try await run { [keys] connection throws(RedisError) in
            try connection.command(["PUBLISH", RedisArgument(keys.controlChannel), RedisArgument(message.json)]).int ?? 0
        }
    }
}
