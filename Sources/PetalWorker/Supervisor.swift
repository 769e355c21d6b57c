import Foundation
import Logging
import Petal
import PetalRedis
import PetalSystem
import Synchronization

/// The worker's parent process: keeps a pool of child processes, each running one job at a time,
/// and does the worker's housekeeping: heartbeats, remote control, scheduled jobs, recovery of
/// dead workers' jobs, history retention and autoscaling.
///
/// It is one loop on a dedicated thread around poll(2): signals (self-pipe), the children's notices
/// and the control inbox all arrive as readable descriptors, so nothing here blocks Swift's
/// cooperative pool. Children are reaped by pid with WNOHANG on every turn.
final class Supervisor {
    enum Phase: Equatable {
        case running
        /// Warm shutdown: children finish their jobs; at the deadline what is left is killed and re-queued.
        case draining(deadline: Double)
        /// Cold shutdown: children killed now, their jobs re-queued.
        case stopping
    }

    let configuration: WorkerConfiguration
    let registry: TaskRegistry
    let logger: Logger
    let keys: Keys
    let connection: RedisConnection
    let inbox = ControlInbox()

    /// The child processes, and how to start one.
    var pool: ChildPool
    let spawner = ChildSpawner()
    /// What remote control may change: pool size, autoscale, queues, time limits.
    var settings: PoolSettings
    var phase = Phase.running
    var startedAt = Clock.now()

    /// Child exits whose jobs still have to be settled in Redis (kept while Redis is down).
    var pendingLosses: [ChildLostCall] = []
    /// Jobs to terminate that no child was running yet (a child may hold them, prefetched): the child
    /// that begins one is killed. Forgotten after `until`.
    var pendingTerminations: [String: (signal: Int32, until: Double)] = [:]
    var redisReachableSince: Double?
    /// The last refusal logged per periodic step, so a full Redis (OOM) is said once, not 4 times a second.
    var loggedRefusals: [String: String] = [:]
    var announcedOnline = false
    /// Pings sent to silent workers and their answers (Supervisor+Liveness.swift).
    var liveness = LivenessPings()
    /// When each kind of periodic work is next due.
    struct Schedule {
        var heartbeat: Every
        var promote = Every(0.25)
        var reap: Every
        var trim = Every(10)
        var autoscale = Every(1)
        /// Periodic schedules: ticks fall on whole seconds at the finest, so a quarter second late at most.
        var periodic = Every(0.25)
    }
    var schedule: Schedule
    private var signalDescriptor: Int32 = -1
    private var subscriber: Task<Void, Never>?

    init(configuration: WorkerConfiguration, registry: TaskRegistry, logger: Logger) throws {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        keys = configuration.keys
        connection = RedisConnection(configuration: try configuration.redisConfiguration())
        pool = ChildPool(workerName: configuration.name, terminateGrace: configuration.terminateGrace, logger: logger)
        settings = PoolSettings(concurrency: configuration.concurrency, autoscaleMin: configuration.autoscaleMin,
                                autoscaleMax: configuration.autoscaleMax, queues: configuration.queues)
        schedule = Schedule(heartbeat: Every(configuration.heartbeatInterval), reap: Every(configuration.heartbeatInterval))
    }

    /// Runs until shut down; returns the process exit code.
    func run() -> Int32 {
        do {
            signalDescriptor = try SignalPipe.install([SIGTERM, SIGINT, SIGQUIT])
            SignalPipe.ignore(SIGPIPE)
            guard try waitForRedisAndClaimName() else { return 0 }
        } catch {
            logger.critical("cannot start worker: \(error)")
            return 1
        }
        subscriber = inbox.listen(configuration: connection.configuration,
                                  channels: [keys.controlChannel, keys.controlChannel(worker: configuration.name)])
        // Announced before any child exists: fetch hands out nothing to a worker without a heartbeat.
        // An ACL user without the rights the worker needs is refused here, before a child could take
        // a job and be refused half-way through (docs/PROTOCOL.md has the rules).
        if let refusal = writeHeartbeat(), case .server(let message) = refusal, message.hasPrefix("NOPERM") {
            logger.critical("cannot start worker: \(message)")
            subscriber?.cancel()
            return 1
        }
        defineSchedules()
        declareRateLimits()
        logger.info("worker \(configuration.name) started: pool \(settings.targetSize), queues \(settings.queues.joined(separator: ", ")), tasks \(registry.names.joined(separator: ", "))")
        var turnStarted = Clock.now()
        while true {
            // At most one turn per 10 ms: under load children send two notices per job, and
            // handling each on its own would cost the supervisor a core at thousands of jobs a second.
            let sinceTurn = Clock.now() - turnStarted
            if sinceTurn < 0.01 { usleep(useconds_t((0.01 - sinceTurn) * 1_000_000)) }
            turnStarted = Clock.now()
            adjustPool()
            waitForInput(timeout: 0.1)
            handleSignals()
            handleNotices()
            handleControl()
            handleProbes()
            reapChildren()
            enforceDeadlines()
            maintain()
            if isFinished() { break }
        }
        goOffline()
        subscriber?.cancel()
        logger.info("worker \(configuration.name) stopped")
        return 0
    }

    // MARK: - Start and stop

    /// Like Celery at start-up, waits for Redis (with backoff) rather than giving up; a signal
    /// meanwhile ends the wait. Returns false when told to stop before Redis came.
    private func waitForRedisAndClaimName() throws -> Bool {
        var backoff = Backoff(initial: 0.2, maximum: 5)
        var warned = false
        while true {
            do {
                try claimName()
                return true
            } catch let error as RedisError where error.isTransient {
                if !warned { logger.warning("waiting for Redis: \(error)") }
                warned = true
                var descriptor = pollfd(fd: signalDescriptor, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, Int32(backoff.next() * 1000)) > 0 {
                    logger.info("stopped while waiting for Redis")
                    return false
                }
            }
        }
    }

    /// Refuses a name a live worker holds; takes over a dead namesake's leftovers.
    private func claimName() throws {
        // A live supervisor listens on its own channel even when it cannot write its heartbeat.
        let listeners = try connection.command(["PUBSUB", "NUMSUB", RedisArgument(keys.controlChannel(worker: configuration.name))])
        if let count = listeners.array?.last?.int, count > 0 {
            throw WorkerError.nameInUse(name: configuration.name, holder: "it listens on its control channel")
        }
        let fields = try connection.command(["HGETALL", RedisArgument(keys.worker(configuration.name))]).fieldMap
        if let namesake = WorkerHeartbeat(fields: fields), namesake.pid != 0, namesake.pid != Int(getpid()) {
            let sameHost = namesake.hostname == ProcessInfo.processInfo.hostName
            if !sameHost || kill(Int32(clamping: namesake.pid), 0) == 0 {
                throw WorkerError.nameInUse(name: configuration.name, holder: "pid \(namesake.pid) on \(namesake.hostname)")
            }
            try connection.command(["DEL", RedisArgument(keys.worker(configuration.name))])
        }
        let recovered = try connection.call(ownReap, keys: keys)
        if recovered.requeued + recovered.failed > 0 {
            logger.warning("recovered jobs left in flight by an earlier run of \(configuration.name): \(recovered.requeued) re-queued")
        }
        redisReachableSince = Clock.now()
        try warnOfMissingReplicas()
    }

    /// The durability mode with fewer replicas connected than it waits for: every job would wait
    /// for them. Said at start, so the operator knows why nothing runs.
    private func warnOfMissingReplicas() throws {
        let wanted = connection.configuration.replicasToWait
        guard wanted > 0 else { return }
        let info = try connection.command(["INFO", "replication"]).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("connected_slaves:") }
        let connected = line.flatMap { Int($0.dropFirst("connected_slaves:".count)) } ?? 0
        if connected < wanted {
            logger.warning("--redis-wait-replicas \(wanted), but the primary has \(connected) replica(s) connected: jobs wait until \(wanted) confirm each write")
        }
    }

    private func isFinished() -> Bool {
        switch phase {
        case .running: return false
        case .draining, .stopping: return pool.isEmpty
        }
    }

    /// Settles what the children left, removes the heartbeat and says so in the event stream.
    private func goOffline() {
        // A few seconds at most: if Redis is gone, other workers recover these jobs later.
        let deadline = Clock.now() + 3
        while !pendingLosses.isEmpty && Clock.now() < deadline {
            settleLosses()
            if !pendingLosses.isEmpty { Thread.sleep(forTimeInterval: 0.2) }
        }
        do {
            try connection.command(["DEL", RedisArgument(keys.worker(configuration.name))])
            // Anything still in flight (a child lost while Redis was down) goes back to its queue now.
            _ = try connection.call(ownReap, keys: keys)
        } catch {
            logger.error("could not go offline cleanly (\(error)); other workers will recover this worker's jobs")
        }
    }

    func beginShutdown(cold: Bool) {
        switch (phase, cold) {
        case (.running, false):
            logger.info("warm shutdown: finishing running jobs (up to \(Int(configuration.shutdownTimeout))s); signal again for a cold shutdown")
            phase = .draining(deadline: Clock.now() + configuration.shutdownTimeout)
            pool.requestStopAll()
            writeHeartbeat()
        case (.stopping, _):
            break
        default:
            logger.info("cold shutdown: killing children and re-queueing their jobs")
            phase = .stopping
            pool.killAll(reason: "WorkerShutdown: cold shutdown", mode: .requeue)
        }
    }

    // MARK: - Input

    private func waitForInput(timeout: Double) {
        var descriptors = [pollfd(fd: signalDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        for descriptor in pool.noticeDescriptors { descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), Int32(timeout * 1000))
    }

    private func handleSignals() {
        var byte: UInt8 = 0
        while read(signalDescriptor, &byte, 1) == 1 {
            let signal = Int32(byte)
            logger.info("received \(SignalName.of(signal))")
            beginShutdown(cold: signal == SIGQUIT)
        }
    }

    // MARK: - Redis helpers

    /// This worker recovering its own leftovers (at start, and going offline): no liveness probe.
    private var ownReap: ReapCall {
        ReapCall(worker: configuration.name, maxRedeliveries: configuration.maxRedeliveries, own: true)
    }

    /// Runs Redis work, noting outages: the reaper waits until Redis has been reachable for a whole
    /// heartbeat lifetime, so workers that lost Redis too have re-announced themselves first.
    func withRedis(_ what: String, _ body: () throws(RedisError) -> Void) {
        do {
            try body()
            if redisReachableSince == nil {
                redisReachableSince = Clock.now()
                logger.info("Redis is reachable again")
            }
            if loggedRefusals.removeValue(forKey: what) != nil { logger.info("\(what) works again") }
        } catch {
            if error.isConnectionError {
                if redisReachableSince != nil { logger.warning("\(what) failed: \(error)") }
            } else if loggedRefusals[what] != error.description {
                loggedRefusals[what] = error.description
                logger.warning("\(what) failed (said once until it changes or works again): \(error)")
            }
            if error.isConnectionError {
                redisReachableSince = nil
                connection.close()
            }
        }
    }
}

/// Control messages received by a subscriber task, waiting for the supervisor's loop.
final class ControlInbox: Sendable {
    private let messages = Mutex<[ControlMessage.Received]>([])
    private let probes = Mutex<[LivenessProbe]>([])
    private let wake: PipeDescriptors

    init() {
        // A pipe cannot fail to open here short of running out of descriptors at start-up.
        wake = (try? PipeDescriptors().nonBlockingRead()) ?? PipeDescriptors.unavailable
    }

    var wakeDescriptor: Int32 { wake.read }

    func listen(configuration: RedisConfiguration, channels: [String]) -> Task<Void, Never> {
        let subscription = RedisSubscription(configuration: configuration, channels: channels)
        return Task { [self] in
            for await message in subscription {
                guard case .message(_, let payload, _) = message else { continue }
                if let probe = LivenessProbe(payload: payload) {
                    probes.withLock { $0.append(probe) }
                } else if let control = ControlMessage.receive(payload) {
                    messages.withLock { $0.append(control) }
                } else {
                    continue
                }
                _ = writeAll(wake.write, [1])
            }
        }
    }

    func takeProbes() -> [LivenessProbe] {
        probes.withLock { probes in
            defer { probes.removeAll() }
            return probes
        }
    }

    func take() -> [ControlMessage.Received] {
        var byte = [UInt8](repeating: 0, count: 64)
        while read(wake.read, &byte, byte.count) > 0 {}
        return messages.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}
