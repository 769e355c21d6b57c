import Foundation
import Petal
import PetalRedis
import PetalSystem

/// Remote control: the commands of Celery's `control`, answered on the message's reply list. What
/// a command changes is `PoolSettings.decide`'s; carrying it out among processes and Redis is here.
extension Supervisor {
    func handleControl() {
        for message in inbox.take() where message.isAddressed(to: configuration.name) {
            let reply: ControlReply
            do {
                reply = ControlReply(worker: configuration.name, ok: try carryOut(try settings.decide(try message.command.get(), shuttingDown: phase != .running)))
            } catch {
                reply = ControlReply(worker: configuration.name, error: "\(error)")
            }
            logger.info("control \(message.commandName.prefix(100)): \(reply.error ?? reply.ok?.jsonText ?? "ok")")
            // Replies go only to reply lists (`P:reply:<id>`): a control message is anyone's to
            // publish, and an arbitrary key here would get a reply pushed and a 60 s lifetime.
            guard let replyTo = message.replyTo else { continue }
            guard replyTo.hasPrefix(keys.reply("")) else {
                logger.warning("control \(message.commandName.prefix(100)): reply_to '\(replyTo.prefix(100))' is not a reply list (\(keys.reply("<id>"))); no reply sent")
                continue
            }
            withRedis("control reply") { () throws(RedisError) in
                _ = try connection.pipeline([["RPUSH", RedisArgument(replyTo), RedisArgument(reply.json)],
                                             ["EXPIRE", RedisArgument(replyTo), "60"]])
            }
        }
    }

    /// Does what a command asks of the processes and Redis; returns the answer.
    private func carryOut(_ action: PoolSettings.Action) throws -> JSONValue {
        switch action {
        case .answer(let answer):
            return answer
        case .changed(let answer, let queuesChanged):
            if queuesChanged { pool.broadcast("queues \(settings.queues.joined(separator: ","))") }
            writeHeartbeat()
            return answer
        case .restartPool:
            pool.requestStopAll()
            return "reloading pool"
        case .shutdown:
            beginShutdown(cold: false)
            return "shutting down"
        case .setTimeLimits(let task, let soft, let hard):
            try storeTimeLimits(task: task, soft: soft, hard: hard)
            settings.timeLimits[task] = soft == 0 && hard == 0 ? nil : [soft, hard]
            return "time limits set successfully"
        case .setRateLimit(let task, let rate):
            // As a Celery worker answers: a limit for a task it does not run is a mistake.
            guard rate == nil || registry.entry(task) != nil else {
                throw WorkerError.controlRefused("unknown task '\(task.prefix(100))': \(configuration.name) does not run it")
            }
            try storeRateLimit(task: task, rate: rate)
            settings.rateLimits[task] = rate
            writeHeartbeat()
            return "new rate limit set successfully"
        case .terminate(let id, let signal):
            guard let pid = pool.pid(running: id) else {
                // A child may hold it among the jobs it took ahead: it is killed when it begins it.
                let now = Clock.now()
                pendingTerminations = pendingTerminations.filter { $0.value.until > now }
                pendingTerminations[id] = (signal, now + Self.pendingTerminationLifetime)
                return .string("\(id) is not running on \(configuration.name) now; terminating it if it starts here")
            }
            pool.kill(pid, reason: "Terminated: revoked while running", signal: signal)
            return .string("terminating \(id) (pid \(pid)) with \(SignalName.of(signal))")
        }
    }

    /// Run-time limits for a task go to the worker's limits hash, where fetch reads them for each
    /// job it hands to a child; both zero clears them.
    private func storeTimeLimits(task: String, soft: Double, hard: Double) throws {
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
    }

    /// This worker's own rate limit goes to its rate-limit hash through the library (which also
    /// puts back the jobs waiting on the old limit), where fetch reads it.
    private func storeRateLimit(task: String, rate: RateLimit?) throws {
        var failure: RedisError?
        let call = RateLimitCall(worker: configuration.name, limits: [(task, rate)])
        withRedis("rate limit") { () throws(RedisError) in
            do throws(RedisError) { _ = try connection.call(call, keys: keys) } catch {
                failure = error
                throw error
            }
        }
        if let failure { throw failure }
    }

    /// How long a terminate waits for its job to start in a child here (seconds).
    static let pendingTerminationLifetime = 300.0
}
