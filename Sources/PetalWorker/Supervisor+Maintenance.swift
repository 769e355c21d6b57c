import Foundation
import Petal
import PetalRedis

/// The periodic work: heartbeat, scheduled jobs, recovery of dead workers, retention, autoscale.
extension Supervisor {
    static let version = "0.1.0"

    func maintain() {
        let now = Clock.now()
        if schedule.heartbeat.isDue(at: now) { writeHeartbeat() }
        if schedule.promote.isDue(at: now) { promoteDueJobs() }
        if schedule.reap.isDue(at: now) { reapDeadWorkers() }
        if schedule.trim.isDue(at: now) { trimHistory() }
        if autoscale != nil, schedule.autoscale.isDue(at: now) { autoscaleStep() }
        if !pendingLosses.isEmpty { settleLosses() }
    }

    /// The heartbeat record (worker hash with a TTL) and its event. docs/PROTOCOL.md lists the fields.
    func writeHeartbeat() {
        let now = Clock.now()
        let childPIDs = children.keys.sorted()
        let active = children.values.compactMap { child in
            child.job.map { WorkerRecord.ActiveJob(id: $0.id, task: $0.task, pid: Int(child.pid), started: $0.started) }
        }.sorted { $0.started < $1.started }
        let rss = SystemStats.residentBytes(pid: getpid()) + childPIDs.reduce(0) { $0 + SystemStats.residentBytes(pid: $1) }
        func json<T: Encodable>(_ value: T) -> String {
            (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "null"
        }
        let name = configuration.name
        var fields: [String] = [
            "name", name, "hostname", ProcessInfo.processInfo.hostName, "pid", String(getpid()),
            "queues", json(queues), "concurrency", String(targetSize), "children", json(childPIDs.map(Int.init)),
            "active", json(active), "loadavg", json(SystemStats.loadAverage()), "rss", String(rss),
            "started_at", Clock.text(startedAt), "heartbeat", Clock.text(now), "interval", String(configuration.heartbeatInterval),
            "version", Self.version, "registered", json(registry.names), "time_limits", json(timeLimits),
            "shutting_down", phase == .running ? "0" : "1",
            // Where this worker's Redis is (no password) and, under Sentinel, the primary it uses now.
            "redis", connection.configuration.description, "redis_server", connection.serverAddress ?? "",
            "autoscale_min", autoscale.map { String($0.min) } ?? "", "autoscale_max", autoscale.map { String($0.max) } ?? "",
        ]
        if autoscale == nil { fields.removeLast(4) }
        let workerKey = keys.worker(name)
        var commands: [[RedisArgument]] = [
            ["DEL", RedisArgument(workerKey)],
            [RedisArgument("HSET"), RedisArgument(workerKey)] + fields.map { RedisArgument($0) },
            ["EXPIRE", RedisArgument(workerKey), RedisArgument(configuration.heartbeatTTL)],
            ["ZADD", RedisArgument(keys.workers), RedisArgument(Clock.text(now)), RedisArgument(name)],
            ["HDEL", RedisArgument(keys.workerStats(name)), "offline_at"],
            ["EXPIRE", RedisArgument(keys.workerStats(name)), "172800"],
            ["EXPIRE", RedisArgument(keys.workerTasks(name)), "172800"],
            ["XADD", RedisArgument(keys.events), "MAXLEN", "~", "100000", "*", "type",
             announcedOnline ? "worker-heartbeat" : "worker-online", "ts", RedisArgument(Clock.text(now)),
             "worker", RedisArgument(name), "active", RedisArgument(active.count), "concurrency", RedisArgument(targetSize)],
        ]
        if timeLimits.isEmpty { commands.append(["DEL", RedisArgument(keys.workerLimits(name))]) }
        withRedis("heartbeat") { () throws(RedisError) in
            let replies = try connection.pipeline([["MULTI"]] + commands + [["EXEC"]])
            if case .error(let message)? = replies.last { throw RedisError.server(message) }
            // HDEL of offline_at (the fifth command) found one: another worker reaped this one while
            // it could not reach Redis. Its jobs went to other workers; its children's late results
            // are fenced off. From this beat on it is online again and takes jobs.
            if announcedOnline, replies.last?.array?[4].int == 1 {
                logger.warning("this worker was taken for gone while it could not reach Redis (its heartbeat lapsed): its jobs were handed to other workers and its results for them are discarded; rejoined")
            }
            announcedOnline = true
        }
    }

    private func promoteDueJobs() {
        withRedis("promoting scheduled jobs") { () throws(RedisError) in
            let moved = try runScript(PetalScripts.promote, ["500"]).int ?? 0
            if moved >= 500 { schedule.promote.again(after: 0, now: Clock.now()) }  // more are due: go on the next turn
        }
    }

    /// Re-queues the in-flight jobs of workers whose heartbeat expired. Waits until Redis has been
    /// reachable for a whole heartbeat lifetime: after an outage every live worker re-announces
    /// itself first, so no running job is taken for lost.
    private func reapDeadWorkers() {
        guard let since = redisReachableSince, Clock.now() - since > Double(configuration.heartbeatTTL) + configuration.heartbeatInterval else { return }
        withRedis("recovering dead workers' jobs") { () throws(RedisError) in
            let cutoff = Clock.now() - 86_400
            try connection.command(["ZREMRANGEBYSCORE", RedisArgument(keys.workers), "-inf", RedisArgument(Clock.text(cutoff))])
            let names = (try connection.command(["ZRANGE", RedisArgument(keys.workers), "0", "-1"]).array ?? [])
                .compactMap(\.string).filter { $0 != configuration.name }
            if names.isEmpty { return }
            let probes = try connection.pipeline(names.flatMap { name -> [[RedisArgument]] in
                [["EXISTS", RedisArgument(keys.worker(name))], ["LLEN", RedisArgument(keys.inflight(name))],
                 ["HEXISTS", RedisArgument(keys.workerStats(name)), "offline_at"]]
            })
            for (index, name) in names.enumerated() {
                let alive = probes[index * 3].int == 1
                let inFlight = probes[index * 3 + 1].int ?? 0
                let markedOffline = probes[index * 3 + 2].int == 1
                guard !alive, inFlight > 0 || !markedOffline else { continue }
                var counts = try runScript(PetalScripts.reap, [RedisArgument(name), RedisArgument(configuration.maxRedeliveries), "0"]).array ?? []
                if counts.count > 2 {
                    guard try isSilent(name) else {
                        logger.debug("worker \(name) has no heartbeat but listens on its control channel: asked whether it is alive")
                        continue
                    }
                    // Redis still holds its subscription, but it does not answer: cut off (Supervisor+Liveness.swift).
                    logger.warning("worker \(name) has no heartbeat and left a ping unanswered for \(configuration.heartbeatTTL) s: taking it for gone")
                    counts = try runScript(PetalScripts.reap, [RedisArgument(name), RedisArgument(configuration.maxRedeliveries), "1"]).array ?? []
                }
                let requeued = counts.first?.int ?? 0, failed = counts.last?.int ?? 0
                if requeued + failed > 0 {
                    logger.warning("worker \(name) is gone: re-queued \(requeued) of its jobs, failed \(failed) (redelivered too often)")
                }
            }
        }
    }

    private func trimHistory() {
        withRedis("trimming job history") { () throws(RedisError) in
            let dropped = try runScript(PetalScripts.trim, [RedisArgument(configuration.retentionCount),
                                                            RedisArgument(String(configuration.retentionSeconds)), "1000"]).int ?? 0
            if dropped >= 1000 { schedule.trim.again(after: 1, now: Clock.now()) }  // more to drop: again in a second
        }
    }

    /// Grows towards max while jobs wait (a waiting job means no child was free to take it);
    /// shrinks by one a second towards min once the pool has been partly idle for five seconds.
    private func autoscaleStep() {
        guard let bounds = autoscale, phase == .running else { return }
        var backlog = 0
        withRedis("autoscale") { () throws(RedisError) in
            let lengths = try connection.pipeline(queues.map { ["LLEN", RedisArgument(keys.queue($0))] })
            backlog = lengths.reduce(0) { $0 + ($1.int ?? 0) }
        }
        let working = workingChildren
        let busy = working.filter(\.isBusy).count
        logger.trace("autoscale: backlog \(backlog), busy \(busy) of \(working.count), target \(targetSize)")
        if backlog > 0 && targetSize < bounds.max {
            let grown = min(bounds.max, targetSize + backlog)
            logger.info("autoscale: \(backlog) job(s) waiting, pool \(targetSize) -> \(grown)")
            targetSize = grown
        } else if backlog == 0 && busy < working.count && Clock.now() - lastFullyBusy > 5 && targetSize > bounds.min {
            targetSize -= 1
            logger.info("autoscale: idle, pool -> \(targetSize)")
        }
    }
}
