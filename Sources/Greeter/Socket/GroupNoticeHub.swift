import Foundation
import Petal
import ServiceLifecycle
import Synchronization

/// One Redis subscription for every open socket: the client's notices of every group, fanned out
/// to the sockets of the visitor each notice is for (a notice names its group). A subscription per
/// socket would cost a thread and a Redis connection per open page; this costs one of each per web
/// process. It runs as a service of the app, so it stops (and its thread with it) when the app stops.
final class GroupNoticeHub: Service, Sendable {
    private let client: PetalClient
    private let inboxes = Mutex<[String: [ObjectIdentifier: NoticeInbox]]>([:])
    /// Set once Redis has confirmed the subscription, so a socket that sends its snapshot after
    /// `waitUntilListening` misses no notice in between.
    private let listening = Atomic<Bool>(false)
    /// Set when the server is stopping (under the inboxes' lock, so no socket registers after
    /// the others were sent away): sockets are sent away (1001) and no new one is kept.
    private let stopping = Atomic<Bool>(false)
    /// `waitForJob` calls, woken by the notices that pass through here.
    let waiters = JobNoticeWaiters()

    init(client: PetalClient) {
        self.client = client
    }

    func run() async throws {
        // Ends when the app shuts down (gracefully or by cancellation); dropping the iterator
        // stops the subscription's thread, and the sockets' inboxes are finished.
        for await event in client.noticesOfEveryGroup().cancelOnGracefulShutdown() {
            switch event {
            case .notice(let notice):
                waiters.wake(notice.id)
                let targets = inboxes.withLock { $0[notice.group].map { Array($0.values) } ?? [] }
                // Turned into the socket's job object once for all the visitor's sockets.
                guard !targets.isEmpty else { continue }
                let job = SocketJob.json(notice)
                for inbox in targets { inbox.add(job, id: notice.id) }
            case .subscribed:
                listening.store(true, ordering: .releasing)
                // Sockets opened before Redis was first reached (after `waitUntilListening` gave
                // up) have no snapshot yet: they get one now, as after a reconnection.
                catchUp()
            case .resubscribed:
                catchUp()
            }
        }
        // The app is stopping: each socket closes with 1001 as its inbox ends.
        for inbox in inboxes.withLock({ $0.values.flatMap(\.values) }) { inbox.finish() }
    }

    /// Notices may have been missed (or no snapshot sent): every socket sends a snapshot, and
    /// every `waitForJob` reads its job again.
    private func catchUp() {
        waiters.wakeAll()
        for inbox in inboxes.withLock({ $0.values.flatMap(\.values) }) { inbox.snapshotDue() }
    }

    /// An inbox for `visitor`'s notices from now on, until `close`; nil when the visitor already
    /// has `limit` open (one cookie must not hold a thousand sockets' worth of fan-out), or when
    /// the server is stopping (`isStopping` says which).
    func open(for visitor: String, limit: Int) -> NoticeInbox? {
        let inbox = NoticeInbox()
        let opened = inboxes.withLock { table in
            guard !stopping.load(ordering: .acquiring), table[visitor, default: [:]].count < limit else { return false }
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

    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// The server is stopping: lets go of every socket (each then closes with 1001, see
    /// `SocketSession`) and waits, up to `within`, until all are gone.
    func sendAway(within: Duration) async {
        let open = inboxes.withLock { table in
            stopping.store(true, ordering: .releasing)
            return table.values.flatMap(\.values)
        }
        for inbox in open { inbox.finish() }
        let deadline = ContinuousClock.now + within
        while inboxes.withLock({ !$0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (up to `timeout` seconds) until Redis has confirmed the subscription. Only the first
    /// socket of a process waits.
    func waitUntilListening(timeout: Double = 3) async {
        let deadline = Date().addingTimeInterval(timeout)
        while !listening.load(ordering: .acquiring), Date() < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
