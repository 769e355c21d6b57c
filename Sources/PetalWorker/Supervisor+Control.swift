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
                reply = ControlReply(worker: configuration.name, ok: try perform(try message.command.get()))
            } catch {
                reply = ControlReply(worker: configuration.name, error: "\(error)")
            }
            logger.info("control \(message.commandName.prefix(100)): \(reply.error ?? reply.ok?.jsonText ?? "ok")")
            guard let replyTo = message.replyTo else { continue }
            withRedis("control reply") { () throws(RedisError) in
                _ = try connection.pipeline([["RPUSH", RedisArgument(replyTo), RedisArgument(reply.json)],
                                             ["EXPIRE", RedisArgument(replyTo), "60"]])
            }
        }
    }

    /// Carries out one command (its arguments were checked as it was read); returns the reply
    /// text or throws the reason it could not.
    private func perform(_ command: ControlCommand) throws -> JSONValue {
        switch command {
        case .ping:
            return "pong"
        case .poolGrow(let n):
            guard phase == .running else { throw WorkerError.controlRefused("worker is shutting down") }
            targetSize = min(ControlCommand.maximumPoolSize, targetSize + n)
            autoscale?.include(targetSize)
            writeHeartbeat()
            return .string("pool will grow to \(targetSize)")
        case .poolShrink(let n):
            targetSize = max(0, targetSize - n)
            autoscale?.include(targetSize)
            writeHeartbeat()
            return .string("pool will shrink to \(targetSize)")
        case .poolRestart:
            for pid in children.keys { requestStop(pid) }
            return "reloading pool"
        case .autoscale(let high, let low):
            autoscale = Autoscaler(min: low, max: high)
            targetSize = max(low, min(targetSize, high))
            writeHeartbeat()
            return .string("autoscale now max=\(high) min=\(low)")
        case .shutdown:
            beginShutdown(cold: false)
            return "shutting down"
        case .addConsumer(let queue):
            guard !queues.contains(queue) else { return .string("already consuming from \(queue)") }
            queues.append(queue)
            broadcastQueues()
            return .string("add consumer \(queue)")
        case .cancelConsumer(let queue):
            guard queues.contains(queue) else { throw WorkerError.controlRefused("not consuming from \(queue)") }
            guard queues.count > 1 else { throw WorkerError.controlRefused("cannot cancel the last queue \(queue)") }
            queues.removeAll { $0 == queue }
            broadcastQueues()
            return .string("no longer consuming from \(queue)")
        case .timeLimit(let task, let soft, let hard):
            try setTimeLimits(task: task, soft: soft, hard: hard)
            return "time limits set successfully"
        case .terminate(let id, let signalName):
            let signal = SignalName.parse(signalName) ?? SIGTERM
            guard let child = children.values.first(where: { $0.job?.id == id }) else {
                // A child may hold it among the jobs it took ahead: it is killed when it begins it.
                let now = Clock.now()
                pendingTerminations = pendingTerminations.filter { $0.value.until > now }
                pendingTerminations[id] = (signal, now + Self.pendingTerminationLifetime)
                return .string("\(id) is not running on \(configuration.name) now; terminating it if it starts here")
            }
            killChild(child.pid, reason: "Terminated: revoked while running", signal: signal)
            return .string("terminating \(id) (pid \(child.pid)) with \(SignalName.of(signal))")
        }
    }

    /// Run-time limits for a task, kept in the worker's limits hash (fetch hands them to children
    /// with each job) and in the heartbeat; both zero clears them.
    private func setTimeLimits(task: String, soft: Double, hard: Double) throws {
        let clear = soft == 0 && hard == 0
        var failure: RedisError?
        withRedis("time limits") { () throws(RedisError) in
            do throws(RedisError) {
                if clear {
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
        timeLimits[task] = clear ? nil : [soft, hard]
    }

    /// How long a terminate waits for its job to start in a child here (seconds).
    static let pendingTerminationLifetime = 300.0

    private func broadcastQueues() {
        for child in children.values { child.send("queues \(queues.joined(separator: ","))") }
        writeHeartbeat()
    }
}
