import Foundation
import Petal
import PetalRedis

/// The periodic work: heartbeat, scheduled jobs, recovery of dead workers, retention, autoscale.
extension Supervisor {
    func maintain() {
        let now = Clock.now()
        if schedule.heartbeat.isDue(at: now) { writeHeartbeat() }
        if schedule.promote.isDue(at: now) { promoteDueJobs() }
        if phase == .running, schedule.periodic.isDue(at: now) { runDueSchedules() }
        if schedule.reap.isDue(at: now) { reapDeadWorkers() }
        if schedule.trim.isDue(at: now) { trimHistory() }
        if settings.autoscale != nil, schedule.autoscale.isDue(at: now) { autoscaleStep() }
        if !pendingLosses.isEmpty { settleLosses() }
    }

    /// The heartbeat record (worker hash with a TTL) and its event. docs/PROTOCOL.md lists the fields.
    /// Returns Redis's refusal, if it refused.
    @discardableResult
    func writeHeartbeat() -> RedisError? {
        let childPIDs = pool.pids
        let active = pool.activeJobs
        let rss = SystemStats.residentBytes(pid: getpid()) + childPIDs.reduce(0) { $0 + SystemStats.residentBytes(pid: $1) }
        var heartbeat = WorkerHeartbeat(
            name: configuration.name, hostname: ProcessInfo.processInfo.hostName, pid: Int(getpid()), queues: settings.queues,
            concurrency: settings.targetSize, children: childPIDs.map(Int.init), active: active, autoscaleMin: settings.autoscale?.min,
            autoscaleMax: settings.autoscale?.max, loadAverage: SystemStats.loadAverage(), rssBytes: rss, startedAt: startedAt,
            time: Clock.now(), heartbeatInterval: configuration.heartbeatInterval, version: PetalProtocol.petalVersion,
            registered: registry.names, timeLimits: settings.timeLimits, shuttingDown: phase != .running,
            // Where this worker's Redis is (no password) and, under Sentinel, the primary it uses now.
            redis: connection.configuration.description, redisServer: connection.serverAddress ?? "")
        heartbeat.rateLimits = settings.rateLimits.mapValues(\.description)
        let call = HeartbeatCall(heartbeat: heartbeat, ttl: configuration.heartbeatTTL, first: !announcedOnline)
        var refusal: RedisError?
        withRedis("heartbeat") { () throws(RedisError) in
            let wasReaped: Bool
            do throws(RedisError) { wasReaped = try connection.call(call, keys: keys) } catch { refusal = error; throw error }
            // Another worker reaped this one while it could not reach Redis (offline_at was set):
            // its jobs went to other workers, its children's late results are fenced off. From
            // this beat on it is online again and takes jobs.
            if announcedOnline, wasReaped {
                logger.warning("this worker was taken for gone while it could not reach Redis (its heartbeat lapsed): its jobs were handed to other workers and its results for them are discarded; rejoined")
            }
            announcedOnline = true
        }
        return refusal
    }

    private func promoteDueJobs() {
        withRedis("promoting scheduled jobs") { () throws(RedisError) in
            let moved = try connection.call(PromoteCall(limit: 500), keys: keys)
            if moved >= 500 { schedule.promote.again(after: 0, now: Clock.now()) }  // more are due: go on the next turn
        }
    }

    /// Periodic schedules: one read when none is due, else one `petal_schedule_tick` call for all
    /// due ones (RedisConnection+Schedules). Every worker does this; the tick's claim makes it once.
    private func runDueSchedules() {
        withRedis("running periodic schedules") { () throws(RedisError) in
            try connection.tickSchedules(keys: keys, producer: configuration.name)
        }
    }

    /// Stores the registry's code-defined schedules and removes the ones it dropped (at start).
    func defineSchedules() {
        withRedis("defining periodic schedules") { () throws(RedisError) in
            let removed = try ScheduleReconciler.reconcile(registry, on: connection, keys: keys)
            if !registry.schedules.isEmpty { logger.info("schedules defined in code: \(registry.schedules.keys.sorted().joined(separator: ", "))") }
            if !removed.isEmpty { logger.info("schedules no longer defined in code, removed: \(removed.joined(separator: ", "))") }
        }
    }

    /// States the registry's code-declared rate limits (at start): Redis applies each one whose
    /// declaration changed since the last start that declared it.
    func declareRateLimits() {
        guard let declared = try? registry.declaredRateLimits(), !declared.isEmpty else { return }
        withRedis("declaring rate limits") { () throws(RedisError) in
            let reply = try connection.call(RateLimitCall(declared: true, limits: declared), keys: keys)
            if reply.changed > 0 {
                let shown = declared.compactMap { task, rate in rate.map { "\(task) \($0)" } }
                logger.info("rate limits declared in code applied (\(reply.changed) changed): \(shown.isEmpty ? "none" : shown.joined(separator: ", "))")
            }
        }
    }

    /// Re-queues the in-flight jobs of workers whose heartbeat expired. Waits until Redis has been
    /// reachable for a whole heartbeat lifetime: after an outage every live worker re-announces
    /// itself first, so no running job is taken for lost.
    private func reapDeadWorkers() {
        guard let since = redisReachableSince, Clock.now() - since > Double(configuration.heartbeatTTL) + configuration.heartbeatInterval else { return }
        withRedis("recovering dead workers' jobs") { () throws(RedisError) in
            let call = ReapDeadCall(worker: configuration.name, maxRedeliveries: configuration.maxRedeliveries)
            for var result in try connection.call(call, keys: keys) {
                if result.alive {
                    guard try isSilent(result.worker) else {
                        logger.debug("worker \(result.worker) has no heartbeat but listens on its control channel: asked whether it is alive")
                        continue
                    }
                    // Redis still holds its subscription, but it does not answer: cut off (Supervisor+Liveness.swift).
                    logger.warning("worker \(result.worker) has no heartbeat and left a ping unanswered for \(configuration.heartbeatTTL) s: taking it for gone")
                    let reaped = try connection.call(ReapCall(worker: result.worker, maxRedeliveries: configuration.maxRedeliveries, own: true), keys: keys)
                    (result.requeued, result.failed) = (reaped.requeued, reaped.failed)
                }
                if result.requeued + result.failed > 0 {
                    logger.warning("worker \(result.worker) is gone: re-queued \(result.requeued) of its jobs, failed \(result.failed) (redelivered too often)")
                }
            }
        }
    }

    private func trimHistory() {
        withRedis("trimming job history") { () throws(RedisError) in
            let dropped = try connection.call(TrimCall(maxCount: configuration.retentionCount, maxAge: configuration.retentionSeconds,
                                                       limit: 1000), keys: keys)
            if dropped >= 1000 { schedule.trim.again(after: 1, now: Clock.now()) }  // more to drop: again in a second
        }
    }

    /// One autoscale step (the rule is `Autoscaler`'s): reads how many jobs wait, then aims the pool.
    private func autoscaleStep() {
        guard let autoscaler = settings.autoscale, phase == .running else { return }
        var waiting = 0
        withRedis("autoscale") { () throws(RedisError) in
            let lengths = try connection.pipeline(settings.queues.map { ["LLEN", RedisArgument(keys.queue($0))] })
            waiting = lengths.reduce(0) { $0 + ($1.int ?? 0) }
        }
        let working = pool.working
        let seen = Autoscaler.Observation(waiting: waiting, busy: working.filter(\.isBusy).count, working: working.count,
                                          secondsSinceFullyBusy: Clock.now() - pool.lastFullyBusy)
        let target = settings.targetSize
        logger.trace("autoscale: \(waiting) waiting, busy \(seen.busy) of \(seen.working), target \(target)")
        let next = autoscaler.nextTarget(from: target, seeing: seen)
        if next > target { logger.info("autoscale: \(waiting) job(s) waiting, pool \(target) -> \(next)") }
        if next < target { logger.info("autoscale: idle, pool -> \(next)") }
        settings.targetSize = next
    }
}
