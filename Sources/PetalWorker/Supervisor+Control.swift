import Foundation
import Petal
import PetalRedis
import PetalSystem

/// Remote control: the commands of Celery's `control`, answered on the message's reply list.
extension Supervisor {
    func handleControl() {
        for message in inbox.take() where message.isAddressed(to: configuration.name) {
            let reply: ControlReply
            do {
                reply = ControlReply(worker: configuration.name, ok: try perform(message.command))
            } catch {
                reply = ControlReply(worker: configuration.name, error: "\(error)")
            }
            logger.info("control \(message.command.name): \(reply.error ?? reply.ok?.jsonText ?? "ok")")
            guard let replyTo = message.replyTo else { continue }
            withRedis("control reply") { () throws(RedisError) in
                _ = try connection.pipeline([["RPUSH", RedisArgument(replyTo), RedisArgument(reply.json)],
                                             ["EXPIRE", RedisArgument(replyTo), "60"]])
            }
        }
    }

    /// Carries out one command; returns the reply text or throws the reason it could not.
    private func perform(_ command: ControlCommand) throws -> JSONValue {
        let arguments = command.arguments
        func count(_ key: String, default fallback: Int = 1) throws -> Int {
            guard let value = arguments[key] else { return fallback }
            guard let number = value.intValue ?? value.stringValue.flatMap({ Int($0) }), number >= 0 else {
                throw TaskFailure("\(key) must be a non-negative whole number")
            }
            return number
        }
        func text(_ key: String) throws -> String {
            guard let value = arguments[key]?.stringValue, !value.isEmpty else { throw TaskFailure("\(key) is required") }
            return value
        }
        switch command.name {
        case "ping":
            return "pong"
        case "pool_grow":
            guard phase == .running else { throw TaskFailure("worker is shutting down") }
            let n = try count("n")
            targetSize = min(ControlCommand.maximumPoolSize, targetSize + n)
            if let bounds = autoscale, targetSize > bounds.max { autoscale = (bounds.min, targetSize) }
            writeHeartbeat()
            return .string("pool will grow to \(targetSize)")
        case "pool_shrink":
            let n = try count("n")
            targetSize = max(0, targetSize - n)
            if let bounds = autoscale, targetSize < bounds.min { autoscale = (targetSize, bounds.max) }
            writeHeartbeat()
            return .string("pool will shrink to \(targetSize)")
        case "pool_restart":
            for pid in children.keys { requestStop(pid) }
            return "reloading pool"
        case "autoscale":
            let high = try count("max", default: -1), low = try count("min", default: 0)
            guard high >= max(low, 1), high <= ControlCommand.maximumPoolSize else { throw TaskFailure("autoscale needs max >= min and max >= 1") }
            autoscale = (low, high)
            targetSize = max(low, min(targetSize, high))
            writeHeartbeat()
            return .string("autoscale now max=\(high) min=\(low)")
        case "shutdown":
            beginShutdown(cold: false)
            return "shutting down"
        case "add_consumer":
            let queue = try text("queue")
            try QueueName.validate(queue)
            guard !queues.contains(queue) else { return .string("already consuming from \(queue)") }
            queues.append(queue)
            broadcastQueues()
            return .string("add consumer \(queue)")
        case "cancel_consumer":
            let queue = try text("queue")
            guard queues.contains(queue) else { throw TaskFailure("not consuming from \(queue)") }
            guard queues.count > 1 else { throw TaskFailure("cannot cancel the last queue \(queue)") }
            queues.removeAll { $0 == queue }
            broadcastQueues()
            return .string("no longer consuming from \(queue)")
        case "time_limit":
            let task = try text("task")
            let soft = arguments["soft"]?.doubleValue ?? 0, hard = arguments["hard"]?.doubleValue ?? 0
            guard soft >= 0, hard >= 0, hard == 0 || soft <= hard else { throw TaskFailure("need 0 <= soft <= hard") }
            var failure: RedisError?
            withRedis("time limits") { () throws(RedisError) in
                do throws(RedisError) {
                    if soft == 0 && hard == 0 {
                        try connection.command(["HDEL", RedisArgument(keys.workerLimits(configuration.name)), RedisArgument(task)])
                    } else {
                        try connection.command(["HSET", RedisArgument(keys.workerLimits(configuration.name)), RedisArgument(task),
                                                RedisArgument("\(soft) \(hard)")])
                    }
                } catch {
                    failure = error
                    throw error
                }
            }
            if let failure { throw failure }
            if soft == 0 && hard == 0 { timeLimits[task] = nil } else { timeLimits[task] = [soft, hard] }
            return "time limits set successfully"
        case "terminate":
            let id = try text("id")
            let signal = SignalName.parse(arguments["signal"]?.stringValue ?? "SIGTERM") ?? SIGTERM
            guard let child = children.values.first(where: { $0.job?.id == id }) else {
                throw TaskFailure("job \(id) is not running on \(configuration.name)")
            }
            killChild(child.pid, reason: "Terminated: revoked while running", signal: signal)
            return .string("terminating \(id) (pid \(child.pid)) with \(SignalName.of(signal))")
        default:
            throw TaskFailure("unknown control command '\(command.name)'")
        }
    }

    private func broadcastQueues() {
        for child in children.values { child.send("queues \(queues.joined(separator: ","))") }
        writeHeartbeat()
    }
}
