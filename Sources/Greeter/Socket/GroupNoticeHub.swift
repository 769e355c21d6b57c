import Foundation
import Petal
import PetalRedis
import ServiceLifecycle
import Synchronization

/// One Redis subscription for every open socket: a pattern subscription to all group channels,
/// fanned out to the sockets of the visitor each notice is for. A subscription per socket would
/// cost a thread and a Redis connection per open page; this costs one of each per web process.
/// It runs as a service of the app, so it stops (and its thread with it) when the app stops.
final class GroupNoticeHub: Service, Sendable {
    /// What a socket hears.
    enum Notice: Sendable {
        /// A notice published on the visitor's group channel (JSON text, docs/PROTOCOL.md).
        case job(String)
        /// Redis came back: notices may have been missed, so the socket sends a fresh snapshot.
        case resubscribed
    }

    private let client: PetalClient
    private let channelPrefix: String
    private let listeners = Mutex<[String: [UUID: AsyncStream<Notice>.Continuation]]>([:])
    /// Set once the subscription is known to be in place (a probe came back), so a socket that
    /// sends its snapshot after `waitUntilListening` misses no notice in between.
    private let listening = Atomic<Bool>(false)
    private let probeChannel: String

    init(client: PetalClient) {
        self.client = client
        channelPrefix = client.keys.groupChannel("")
        probeChannel = client.keys.groupChannel("probe-" + UUID().uuidString)
    }

    func run() async throws {
        let subscription = client.redis.subscribe(patterns: [channelPrefix + "*"])
        // Ends when the app shuts down (gracefully or by cancellation); dropping the iterator
        // stops the subscription's thread, and the sockets' notice streams end with it.
        for await message in subscription.cancelOnGracefulShutdown() {
            switch message {
            case .message(let channel, let payload, _):
                if channel == probeChannel { listening.store(true, ordering: .releasing); continue }
                deliver(.job(payload), to: String(channel.dropFirst(channelPrefix.count)))
            case .resubscribed:
                broadcast(.resubscribed)
            }
        }
        finishAll()
    }

    /// Notices for `visitor` from now on, until the stream is dropped. A slow socket keeps the
    /// newest 1,000 (a snapshot after a reconnect catches up anyway).
    func notices(for visitor: String) -> AsyncStream<Notice> {
        let (stream, continuation) = AsyncStream<Notice>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        let key = UUID()
        listeners.withLock { $0[visitor, default: [:]][key] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.listeners.withLock { table in
                table[visitor]?[key] = nil
                if table[visitor]?.isEmpty == true { table[visitor] = nil }
            }
        }
        return stream
    }

    /// Waits (up to `timeout` seconds) until the subscription is in place, by publishing a probe
    /// until it comes back. Only the first socket of a process waits.
    func waitUntilListening(timeout: Double = 3) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !listening.load(ordering: .acquiring), Date() < deadline, !Task.isCancelled {
            _ = try? await client.redis.command("PUBLISH", probeChannel, "probe")
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func deliver(_ notice: Notice, to visitor: String) {
        let targets = listeners.withLock { $0[visitor].map { Array($0.values) } ?? [] }
        for continuation in targets { continuation.yield(notice) }
    }

    private func broadcast(_ notice: Notice) {
        let targets = listeners.withLock { $0.values.flatMap(\.values) }
        for continuation in targets { continuation.yield(notice) }
    }

    private func finishAll() {
        let targets = listeners.withLock { $0.values.flatMap(\.values) }
        for continuation in targets { continuation.finish() }
    }
}
