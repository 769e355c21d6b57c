import Foundation
import Petal
import PetalRedis

/// Telling a worker that cannot write from one that is gone.
///
/// A worker whose heartbeat lapsed but whose control channel still has a subscriber is either alive
/// and unable to write (Redis out of memory: it keeps its jobs) or cut off by a network partition:
/// Redis keeps a silent client's connection, and so its subscription, until TCP gives up, which
/// takes many minutes. So the reaper asks: it PUBLISHes a ping on the worker's channel with its own
/// channel to answer on, and the worker's supervisor answers with a PUBLISH (which needs no
/// memory). A worker that has not answered a heartbeat lifetime later is reaped as gone, and its
/// jobs go to other workers; should it come back, its children's results are fenced off.
extension Supervisor {
    /// A ping from a reaper: answer on its channel.
    static func pingPayload(from worker: String, replyTo channel: String) -> String {
        JSONValue.object(["probe": "ping", "from": .string(worker), "reply_to": .string(channel)]).jsonText
    }

    /// Answers pings and notes pongs (the inbox's probes), each turn of the loop.
    func handleProbes() {
        for probe in inbox.takeProbes() {
            switch probe {
            // Answers go only to another worker's control channel, whoever asks.
            case .ping(let replyTo) where replyTo.hasPrefix(keys.controlChannel + ":"):
                withRedis("answering a liveness ping") { () throws(RedisError) in
                    let pong = JSONValue.object(["probe": "pong", "worker": .string(configuration.name)]).jsonText
                    try connection.command(["PUBLISH", RedisArgument(replyTo), RedisArgument(pong)])
                }
            case .pong(let worker):
                liveness.answered(worker, at: Clock.now())
            case .ping:
                continue
            }
        }
    }

    /// Whether a worker that the reap script found listening should be reaped anyway: true once it
    /// left a ping unanswered for a heartbeat lifetime. Sends the ping when none is out.
    func isSilent(_ worker: String) throws(RedisError) -> Bool {
        let now = Clock.now()
        switch liveness.verdict(worker, now: now, patience: Double(configuration.heartbeatTTL)) {
        case .silent:
            return true
        case .waiting:
            return false
        case .ask:
            let ping = Self.pingPayload(from: configuration.name, replyTo: keys.controlChannel(worker: configuration.name))
            try connection.command(["PUBLISH", RedisArgument(keys.controlChannel(worker: worker)), RedisArgument(ping)])
            liveness.asked(worker, at: now)
            return false
        }
    }
}

/// The reaper's record of the pings it sent and the pongs it got.
struct LivenessPings {
    enum Verdict { case ask, waiting, silent }
    private var asked: [String: Double] = [:]
    private var answered: [String: Double] = [:]

    mutating func asked(_ worker: String, at time: Double) { asked[worker] = time }
    mutating func answered(_ worker: String, at time: Double) { answered[worker] = time }

    mutating func verdict(_ worker: String, now: Double, patience: Double) -> Verdict {
        guard let sent = asked[worker] else { return .ask }
        if let pong = answered[worker], pong >= sent {
            asked[worker] = nil  // alive: ask again next time its heartbeat is still missing
            return .ask
        }
        if now - sent > patience {
            asked[worker] = nil
            answered[worker] = nil
            return .silent
        }
        return .waiting
    }
}

/// A liveness message on a control channel (not a control command).
enum LivenessProbe: Sendable {
    /// Answer on this channel.
    case ping(replyTo: String)
    /// This worker answered.
    case pong(worker: String)

    init?(payload: String) {
        guard payload.contains("\"probe\""), let value = try? JSONValue(parsing: payload) else { return nil }
        switch value["probe"]?.stringValue {
        case "ping":
            guard let channel = value["reply_to"]?.stringValue, !channel.isEmpty else { return nil }
            self = .ping(replyTo: channel)
        case "pong":
            guard let worker = value["worker"]?.stringValue else { return nil }
            self = .pong(worker: worker)
        default:
            return nil  // the reap script's own probe ({"probe":"reap"}) needs no answer
        }
    }
}
