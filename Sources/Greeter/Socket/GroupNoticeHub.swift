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
    private let client: PetalClient
    private let channelPrefix: String
    private let inboxes = Mutex<[String: [ObjectIdentifier: NoticeInbox]]>([:])
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
        // stops the subscription's thread, and the sockets' inboxes are finished.
        for await message in subscription.cancelOnGracefulShutdown() {
            switch message {
            case .message(let channel, let payload, _):
                if channel == probeChannel { listening.store(true, ordering: .releasing); continue }
                let visitor = String(channel.dropFirst(channelPrefix.count))
                let targets = inboxes.withLock { $0[visitor].map { Array($0.values) } ?? [] }
                // Parsed once for all the visitor's sockets.
                guard !targets.isEmpty, let job = SocketJob.json(notice: payload), let id = job["id"]?.stringValue else { continue }
                for inbox in targets { inbox.add(job, id: id) }
            case .resubscribed:
                for inbox in inboxes.withLock({ $0.values.flatMap(\.values) }) { inbox.snapshotDue() }
            }
        }
        for inbox in inboxes.withLock({ $0.values.flatMap(\.values) }) { inbox.finish() }
    }

    /// An inbox for `visitor`'s notices from now on, until `close`; nil when the visitor already
    /// has `limit` open (one cookie must not hold a thousand sockets' worth of fan-out).
    func open(for visitor: String, limit: Int) -> NoticeInbox? {
        let inbox = NoticeInbox()
        let opened = inboxes.withLock { table in
            guard table[visitor, default: [:]].count < limit else { return false }
            table[visitor, default: [:]][ObjectIdentifier(inbox)] = inbox
            return true
        }
        return opened ? inbox : nil
    }

    func close(_ inbox: NoticeInbox, of visitor: String) {
        inbox.finish()
        inboxes.withLock { table in
            table[visitor]?[ObjectIdentifier(inbox)] = nil
            if table[visitor]?.isEmpty == true { table[visitor] = nil }
        }
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
}
