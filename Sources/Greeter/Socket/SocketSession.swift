import Foundation
import HummingbirdWebSocket
import Logging
import Petal

/// One open `/ws` socket: reads calls, runs each in its own child task (so a slow call does not
/// hold up a quick one, and answers go out as they are ready, matched by id), and pushes the
/// visitor's job notices. Writes go straight to the socket's writer, which serializes frames and
/// waits when the client reads slowly.
struct SocketSession: Sendable {
    typealias Limits = SocketLimits

    let functions: SocketFunctions
    let hub: GroupNoticeHub
    let limits: Limits
    let logger: Logger

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        // Listen before reading the snapshot, so nothing published in between is lost.
        await hub.waitUntilListening()
        guard let inbox = hub.open(for: functions.visitor, limit: limits.socketsPerVisitor) else {
            if hub.isStopping {
                try await outbound.close(.goingAway, reason: "server stopping")
                return
            }
            try await refuse(SocketCallError(code: .tooManySockets,
                                             message: "At most \(limits.socketsPerVisitor) sockets may be open for one visitor; close another page first."), outbound)
            return
        }
        defer { hub.close(inbox, of: functions.visitor) }
        try await sendSnapshot(outbound)
        do {
            try await readAndAnswer(inbound, outbound, inbox)
        } catch is CancellationError {
            // Reading ended (the client closed, or half-closed mid-call) and a call still in
            // flight was cancelled as it wrote its answer: nothing went wrong on our side, so the
            // close is a normal one (an error here would close with 1011).
        }
    }

    private func readAndAnswer(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ inbox: NoticeInbox) async throws {
        let inFlight = CallCounter()
        // A discarding group: a plain task group keeps every finished child until it is awaited,
        // so a long-lived socket would hold on to each call it ever answered.
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await push(inbox, to: outbound) }
            var reader = MessageReader(limit: limits.messageBytes)
            var frames = inbound.makeAsyncIterator()
            reading: while let frame = try await frames.next() {
                switch reader.add(frame) {
                case .incomplete:
                    continue
                case .tooLarge:
                    try await refuse(SocketCallError(code: .messageTooLarge, message: "A message may be at most \(limits.messageBytes) bytes."), outbound)
                    break reading
                case .notText:
                    try await outbound.write(.text(SocketReply.error(SocketCallError(code: .badMessage, message: "A message must be UTF-8 JSON text."))))
                    continue
                case .protocolError(let reason):
                    try await outbound.close(.protocolError, reason: reason)
                    break reading
                case .invalidUTF8:
                    try await outbound.close(.dataInconsistentWithMessage, reason: "text message is not UTF-8")
                    break reading
                case .message(let text):
                    let call: SocketCall
                    do throws(SocketCallError) { call = try SocketCall(text: text) } catch {
                        try await outbound.write(.text(SocketReply.error(error)))
                        continue
                    }
                    guard inFlight.enter(limit: limits.callsInFlight) else {
                        try await refuse(SocketCallError(id: call.id, code: .tooManyCalls,
                                                         message: "At most \(limits.callsInFlight) calls may wait for an answer at once."), outbound)
                        break reading
                    }
                    group.addTask { try await answer(call, inFlight, outbound) }
                }
            }
            group.cancelAll()
        }
    }

    private func answer(_ call: SocketCall, _ inFlight: CallCounter, _ outbound: WebSocketOutboundWriter) async throws {
        let reply: String
        do throws(SocketCallError) { reply = SocketReply.result(call.id, try await functions.call(call)) } catch { reply = SocketReply.error(error) }
        // The slot is free before the answer is written: a page that sends its next call as soon
        // as an answer arrives must never find all 16 still taken.
        inFlight.leave()
        try await outbound.write(.text(reply))
    }

    /// Writes what the inbox holds each time it wakes; while a write waits for a slow client,
    /// newer states of the same job replace older ones there. An inbox that ends while the socket
    /// is open (not cancelled) was let go by the hub: the server is stopping, so 1001.
    private func push(_ inbox: NoticeInbox, to outbound: WebSocketOutboundWriter) async throws {
        for await _ in inbox.wakeUps {
            let (snapshot, jobs) = inbox.take()
            if snapshot { try await sendSnapshot(outbound) }
            for job in jobs { try await outbound.write(.text(SocketReply.jobEvent(job))) }
        }
        if !Task.isCancelled { try await outbound.close(.goingAway, reason: "server stopping") }
    }

    private func sendSnapshot(_ outbound: WebSocketOutboundWriter) async throws {
        do {
            let jobs = try await functions.call(SocketCall(id: .null, function: "myJobs"))
            try await outbound.write(.text(SocketReply.snapshot(jobs.arrayValue ?? [])))
        } catch let failure as SocketCallError {
            // Redis is away: the next `resubscribed` brings the snapshot.
            logger.debug("no snapshot: \(failure.message)")
        }
    }

    /// Over a limit: the error reply, then a close with 1008 (policy violation).
    private func refuse(_ failure: SocketCallError, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.text(SocketReply.error(failure)))
        try await outbound.close(.policyViolation, reason: failure.code.rawValue)
    }
}
