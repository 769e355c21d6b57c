import Foundation
import Synchronization

/// What a subscription delivers.
public enum RedisPushMessage: Sendable, Equatable {
    /// A message published on `channel` (for a pattern subscription, `pattern` is the pattern matched).
    case message(channel: String, payload: String, pattern: String?)
    /// Redis confirmed every channel and pattern: whatever is published from now on arrives.
    /// Comes once, before any message.
    case subscribed
    /// The connection was lost and is back, subscribed again (confirmed): messages in between were
    /// missed, so a consumer that needs them re-reads the state it follows.
    case resubscribed
}

/// Pub/sub as an AsyncSequence. A dedicated thread owns the subscribed connection, reconnects with
/// backoff when Redis goes away (through Sentinel, to the current primary), and stops when the
/// sequence is dropped or its task cancelled. A quiet connection is PINGed, so a server that
/// vanished without closing it (a partition, a crashed host) is noticed and replaced.
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisPushMessage
    private let stream: AsyncStream<RedisPushMessage>

    public init(configuration: RedisConfiguration, channels: [String] = [], patterns: [String] = []) {
        let (stream, continuation) = AsyncStream<RedisPushMessage>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        self.stream = stream
        let flag = StopFlag()
        continuation.onTermination = { _ in flag.stop() }
        let thread = Thread {
            Self.run(configuration: configuration, channels: channels, patterns: patterns,
                     continuation: continuation, stop: flag)
        }
        thread.name = "petal-redis-subscriber"
        thread.start()
    }

    public func makeAsyncIterator() -> AsyncStream<RedisPushMessage>.Iterator { stream.makeAsyncIterator() }

    private static func run(configuration: RedisConfiguration, channels: [String], patterns: [String],
                            continuation: AsyncStream<RedisPushMessage>.Continuation, stop: StopFlag) {
        let connection = RedisConnection(configuration: configuration)
        var backoff = Backoff(initial: 0.1, maximum: 2)
        var everSubscribed = false
        while !stop.isStopped {
            do throws(RedisError) {
                if !channels.isEmpty { try connection.append([RedisArgument("SUBSCRIBE")] + channels.map { RedisArgument($0) }) }
                if !patterns.isEmpty { try connection.append([RedisArgument("PSUBSCRIBE")] + patterns.map { RedisArgument($0) }) }
                var unconfirmed = channels.count + patterns.count
                backoff.reset()
                var liveness = SubscriptionLiveness(now: MonotonicClock.seconds(), replyTimeout: configuration.commandTimeout)
                while !stop.isStopped {
                    let reply = try connection.nextPushedReply(waitingUpTo: 0.25)
                    switch liveness.step(now: MonotonicClock.seconds(), heard: reply != nil) {
                    case .fine: break
                    case .ping: try connection.append(["PING"])
                    case .silent: throw RedisError.connection("\(configuration): no answer to PING within \(configuration.commandTimeout) s")
                    }
                    guard let reply else { continue }
                    if let message = Self.message(from: reply) {
                        continuation.yield(message)
                    } else if Self.isConfirmation(reply) {
                        unconfirmed -= 1
                        if unconfirmed == 0 {
                            continuation.yield(everSubscribed ? .resubscribed : .subscribed)
                            everSubscribed = true
                        }
                    }
                }
            } catch {
                connection.close()
                if stop.isStopped { break }
                Thread.sleep(forTimeInterval: backoff.next())
            }
        }
        connection.close()
        continuation.finish()
    }

    private static func message(from reply: RedisValue) -> RedisPushMessage? {
        guard let parts = reply.array, let kind = parts.first?.string else { return nil }
        switch kind {
        case "message" where parts.count == 3:
            return .message(channel: parts[1].string ?? "", payload: parts[2].string ?? "", pattern: nil)
        case "pmessage" where parts.count == 4:
            return .message(channel: parts[2].string ?? "", payload: parts[3].string ?? "", pattern: parts[1].string)
        default:
            return nil  // subscribe confirmations
        }
    }

    private static func isConfirmation(_ reply: RedisValue) -> Bool {
        guard let kind = reply.array?.first?.string else { return false }
        return kind == "subscribe" || kind == "psubscribe"
    }
}

/// A one-way switch shared between a consumer and a dedicated thread.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func stop() { value.store(true, ordering: .relaxed) }
    var isStopped: Bool { value.load(ordering: .relaxed) }
}

/// When a quiet subscription PINGs, and when silence means the connection is dead.
struct SubscriptionLiveness {
    enum Action { case fine, ping, silent }
    /// Seconds of quiet before a PING.
    static let quietInterval = 5.0
    private var lastHeard: Double
    private var pingSent: Double?
    private let replyTimeout: Double

    init(now: Double, replyTimeout: Double) {
        lastHeard = now
        self.replyTimeout = replyTimeout
    }

    mutating func step(now: Double, heard: Bool) -> Action {
        if heard {
            lastHeard = now
            pingSent = nil
            return .fine
        }
        if let pingSent { return now - pingSent > replyTimeout ? .silent : .fine }
        if now - lastHeard > Self.quietInterval {
            pingSent = now
            return .ping
        }
        return .fine
    }
}
