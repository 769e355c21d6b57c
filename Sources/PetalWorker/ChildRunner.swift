import Foundation
import Logging
import Petal
import PetalRedis
import PetalSystem
import Synchronization

/// One child process of a worker: takes one job at a time and runs it.
///
/// Its main thread owns the Redis connection and never runs task code: the task runs as a Swift
/// Task and talks back through a mailbox, so progress writes and the soft time limit are handled
/// here while the task is busy. Finishing a job and taking the next is one script call.
final class ChildRunner {
    private let configuration: WorkerConfiguration
    private let registry: TaskRegistry
    private let logger: Logger
    private let keys: Keys
    private let connection: RedisConnection
    private let pid = String(getpid())
    private let commands: ChildCommands
    /// fd 3: "begin"/"end" lines that let the supervisor enforce hard limits and terminate.
    private let notifyDescriptor: Int32 = 3
    /// Jobs taken ahead and not begun: in flight in Redis under this child's pid.
    private var buffer: [FetchedJob] = []
    /// When the last take found jobs of this child's queues waiting on a rate limit: the earliest
    /// slot. An idle child waits for its bell no longer than that (nobody rings when a slot comes).
    private var nextRateSlot: Double?
    /// Until when an idle child gives back whatever Redis holds under its pid: a call sent before
    /// a connection was lost can still land later (a partition: the kernel delivers the closed
    /// socket's data when the link returns), after the recovery's give-back, taking jobs this child
    /// never hears of. An idle child holds no job, so any found then is such a one.
    private var staleTakesPossibleUntil = 0.0
    /// How long after a recovery that can happen: a closed socket's data is retried for about
    /// 100 s (tcp_orphan_retries), with room to spare.
    static let staleTakeWindow = 300.0

    init(configuration: WorkerConfiguration, registry: TaskRegistry, logger: Logger) throws {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        keys = configuration.keys
        connection = RedisConnection(configuration: try configuration.redisConfiguration())
        commands = ChildCommands(queues: configuration.queues)
    }

    /// Runs until told to stop (then exits 0) or until the supervisor goes away (then exits at once,
    /// leaving any job in flight for recovery).
    ///
    /// Jobs are taken a few at a time while they are short (`PrefetchPolicy`): they wait in
    /// `buffer`, already in flight in Redis, and their outcomes wait in `outcomes` until the next call
    /// acknowledges them, each on its own, and takes more. A job that runs long is acknowledged
    /// at once.
    func run() -> Never {
        // Only the supervisor decides when a child stops; it never needs Ctrl-C.
        SignalPipe.ignore(SIGINT)
        startCommandReader()
        var outcomes: [JobOutcome] = []
        var firstOutcomeAt = 0.0
        var prefetch = PrefetchPolicy(limit: configuration.prefetch)
        var recovering = false
        var lastRefusal: RedisError?
        var backoff = Backoff(initial: 0.05, maximum: 2)
        while true {
            do throws(RedisError) {
                if recovering {
                    // A reply may have been lost: acknowledge what ran (a no-op for what had landed),
                    // then give back every job Redis still holds for this process (the buffer's, and
                    // any a lost reply handed over), so nothing stays stuck in flight.
                    if !outcomes.isEmpty { _ = try finish(outcomes, take: 0, repeating: true); outcomes = [] }
                    try giveBack("reclaimed after a lost Redis reply")
                    buffer = []
                    recovering = false
                    staleTakesPossibleUntil = Clock.now() + Self.staleTakeWindow
                    logger.info("Redis is back")
                }
                let stopping = commands.isStopping
                // The next taken job runs before what ran is acknowledged only while jobs are short:
                // a job that ran long is acknowledged before the next begins, so its end is in Redis
                // at once (and a crash or terminate of the next cannot make it run again).
                let lastWasShort = outcomes.last.map { $0.runtime < PrefetchPolicy.shortJob } ?? true
                if !stopping, !buffer.isEmpty, outcomes.isEmpty || lastWasShort && Clock.now() - firstOutcomeAt < PrefetchPolicy.acknowledgementDelay {
                    let outcome = run(buffer.removeFirst())
                    if outcomes.isEmpty { firstOutcomeAt = Clock.now() }
                    outcomes.append(outcome)
                    prefetch.ran(for: outcome.runtime)
                    continue
                }
                // Acknowledge what ran; take more only when nothing is left to run.
                let take = stopping || !buffer.isEmpty ? 0 : prefetch.size
                if !outcomes.isEmpty {
                    if let taken = try finish(outcomes, take: take) { buffer += taken } else { buffer = [] }
                    outcomes = []
                } else if take > 0 {
                    buffer += try fetch(take)
                }
                backoff.reset()
                lastRefusal = nil
                if stopping {
                    if !buffer.isEmpty { try giveBack("the child was told to stop before it ran them") }
                    exit(0)
                }
                if buffer.isEmpty {
                    if Clock.now() < staleTakesPossibleUntil { try giveBack("taken by a call that landed after Redis was lost and found again") }
                    try waitForWork()
                }
            } catch {
                // Told to stop with nothing unacknowledged: no reason to wait for Redis (the
                // supervisor gives back what this child still holds).
                if commands.isStopping && outcomes.isEmpty { exit(0) }
                if error.isTransient {
                    if !recovering { logger.warning("Redis unavailable, retrying: \(error)") }
                    recovering = true
                    if error.isConnectionError { connection.close() }
                } else if error != lastRefusal {
                    // Redis answered, with an error (out of memory, a function's error): not an outage,
                    // and no reply was lost. Said once per kind, not once per retry.
                    logger.error("Redis refused a request, retrying: \(error)")
                    lastRefusal = error
                }
                Thread.sleep(forTimeInterval: backoff.next())
            }
        }
    }

    // MARK: - Redis steps

    private func fetch(_ most: Int) throws(RedisError) -> [FetchedJob] {
        let taken = try connection.call(FetchCall(worker: configuration.name, pid: pid, queues: commands.queues, most: most), keys: keys)
        try waitUntilReplicated()  // the durability mode: a job runs only once its taking is on the replicas
        nextRateSlot = taken.nextRateSlot
        return taken.jobs
    }

    /// Acknowledges `outcomes` and takes up to `take` jobs. Nil when this child's jobs were all given
    /// back (its buffer included): Redis had lost track of one of them. `repeating`: a finish sent
    /// again after a lost reply, which may find nothing to acknowledge.
    private func finish(_ outcomes: [JobOutcome], take: Int, repeating: Bool = false) throws(RedisError) -> [FetchedJob]? {
        let reply = try connection.call(FinishCall(worker: configuration.name, pid: pid, outcomes: outcomes, take: take,
                                                   queues: commands.queues), keys: keys)
        try waitUntilReplicated()  // the durability mode: the ends (and the jobs taken) are on the replicas
        nextRateSlot = reply.taken.nextRateSlot
        for (outcome, acknowledgement) in zip(outcomes, reply.acknowledgements) where acknowledgement == .fenced {
            logger.warning("job \(outcome.id) was handed to another worker while this one ran it (it was taken for lost); this run's result was discarded",
                           metadata: ["job": "\(outcome.id)"])
        }
        if !repeating, let lost = zip(outcomes, reply.acknowledgements).first(where: { $0.1 == .nothingInFlight })?.0 {
            // The job was not in flight any more, though this child took it: Redis lost writes (a
            // failover to a replica that lacked them) or this worker was reaped. Whatever else is in
            // flight for this child is stale, the jobs this call took included: all go back to
            // their queues, and the child takes its next jobs afresh.
            logger.warning("job \(lost.id) was no longer in flight (a Redis failover, or this worker was taken for gone): this run's result was discarded and this child's jobs were put back",
                           metadata: ["job": "\(lost.id)"])
            try giveBack("reclaimed: Redis no longer held a job this child ran")
            return nil
        }
        return reply.next
    }

    /// The durability mode: returns once this connection's writes are on the replicas asked for.
    /// Redis holds the write already and only its copies are missing, so the child waits for them
    /// (saying so once) rather than undoing the write and taking the job again and again.
    private func waitUntilReplicated() throws(RedisError) {
        var waiting = false
        var backoff = Backoff(initial: 0.1, maximum: 2)
        while true {
            do throws(RedisError) {
                try connection.waitForReplicas()
                if waiting { logger.info("the replicas confirm this child's writes again") }
                return
            } catch {
                guard case .server(let message) = error, message.hasPrefix("NOREPLICAS"), !commands.isStopping else { throw error }
                if !waiting { logger.warning("\(message); waiting for the replicas before going on") }
                waiting = true
                Thread.sleep(forTimeInterval: backoff.next())
            }
        }
    }

    /// Gives back the jobs taken ahead while `running` runs long. If Redis cannot be reached they
    /// stay taken (and run after this one): nothing is lost either way.
    private func releaseTakenAhead(running: String) {
        do {
            let ids = try connection.call(ChildLostCall(worker: configuration.name, pid: pid, reason: "given back: \(running) runs long",
                                                        mode: .release, running: running), keys: keys)
            buffer = []
            logger.debug("gave back \(ids.count) job(s) taken ahead: job \(running) runs long")
        } catch {
            logger.debug("could not give back the jobs taken ahead (\(error)); they run after this one")
        }
    }

    /// Puts the jobs Redis holds for this process back on their queues.
    private func giveBack(_ reason: String) throws(RedisError) {
        let ids = try connection.call(ChildLostCall(worker: configuration.name, pid: pid, reason: reason, mode: .requeue), keys: keys)
        if !ids.isEmpty { logger.info("re-queued \(ids.count) job(s): \(reason)") }
    }

    /// Blocks up to a second on the queues' bells (tokens pushed on enqueue), so an idle child
    /// wakes as soon as there is work without polling the queues; no longer than until the next
    /// rate-limited job is due, when one waits.
    private func waitForWork() throws(RedisError) {
        let bells = commands.queues.map { RedisArgument(keys.bell($0)) }
        var seconds = 1.0
        if let slot = nextRateSlot { seconds = min(1, max(0.005, slot - Clock.now() + 0.001)) }
        _ = try connection.blocking(["BLPOP"] + bells + [RedisArgument(String(format: "%.3f", seconds))], blockSeconds: seconds)
    }

    private func progress(_ id: String, current: Double, total: Double, message: String?) {
        do {
            _ = try connection.call(ProgressCall(id: id, current: current, total: total, message: message), keys: keys)
        } catch {
            // Progress is advisory: a lost report is replaced by the next one or by the result.
            logger.debug("progress report dropped: \(error)")
        }
    }

    // MARK: - Running a job

    private func run(_ job: FetchedJob) -> JobOutcome {
        let entry = registry.entry(job.task)
        let soft = job.softTimeLimit ?? job.overrideLimits.flatMap { $0.soft > 0 ? $0.soft : nil }
            ?? entry?.options.softTimeLimit ?? configuration.defaultSoftTimeLimit
        let hard = job.timeLimit ?? job.overrideLimits.flatMap { $0.hard > 0 ? $0.hard : nil }
            ?? entry?.options.timeLimit ?? configuration.defaultTimeLimit
        let started = Clock.now()
        logger.debug("job \(job.id) started, delivery \(job.deliveries)")  // a record of runs outside Redis (tests count runs from it)
        tellSupervisor("begin \(job.id) \(hard ?? 0) \(job.task)")
        defer { tellSupervisor("end \(job.id)") }

        let result: Result<JSONValue, any Error>
        if let entry {
            switch Self.parseArguments(job) {
            case .success(let (args, kwargs)):
                result = execute(entry, job: job, args: args, kwargs: kwargs, softLimit: soft)
            case .failure(let error):
                result = .failure(error)
            }
        } else {
            result = .failure(NotRegistered(task: job.task, worker: configuration.name))
        }
        return outcome(of: job, result: result, runtime: Clock.now() - started, maxRetries: job.maxRetries > 0 ? job.maxRetries : entry?.options.maxRetries ?? 0)
    }

    private static func parseArguments(_ job: FetchedJob) -> Result<([JSONValue], [String: JSONValue]), any Error> {
        guard job.argumentsAreUTF8 else { return .failure(InvalidArguments("args and kwargs must be UTF-8 text; the stored bytes are not")) }
        guard case .array(let list)? = try? JSONValue(parsing: job.argsJSON) else {
            return .failure(InvalidArguments("args must be a JSON array, got: \(job.argsJSON.prefix(200))\(reason(job.argsJSON))"))
        }
        guard case .object(let map)? = try? JSONValue(parsing: job.kwargsJSON) else {
            return .failure(InvalidArguments("kwargs must be a JSON object, got: \(job.kwargsJSON.prefix(200))\(reason(job.kwargsJSON))"))
        }
        return .success((list, map))
    }

    /// Why stored argument text is not JSON, when the reader knows more than "not JSON" (too deep, 1e309).
    private static func reason(_ text: String) -> String {
        do { _ = try JSONValue(parsing: text) } catch { if let reason = (error as? JSONValue.ParseError)?.reason { return " (\(reason))" } }
        return ""
    }

    /// Runs the task as a Swift Task and serves its mailbox until it ends. At the soft limit the
    /// task is told (SoftTimeLimitExceeded at its next checkpoint or sleep) and cancelled.
    private func execute(_ entry: TaskRegistry.Entry, job: FetchedJob, args: [JSONValue], kwargs: [String: JSONValue],
                         softLimit: Double?) -> Result<JSONValue, any Error> {
        let mailbox = ChildMailbox()
        let signals = TaskSignals(mailbox: mailbox)
        let context = TaskContext(jobID: job.id, task: job.task, args: args, kwargs: kwargs, retries: job.retries,
                                  group: job.group, signals: signals)
        let handler = entry.handler
        let task = Task {
            do {
                mailbox.post(.finished(.success(try await handler(context))))
            } catch {
                mailbox.post(.finished(.failure(error)))
            }
        }
        var softDeadline = softLimit.map { DispatchTime.now() + $0 }
        // Jobs taken ahead go back once this one proves long, so none waits behind it.
        var releaseDeadline = buffer.isEmpty ? nil : DispatchTime.now() + PrefetchPolicy.releaseAfter
        while true {
            let deadline = [softDeadline, releaseDeadline].compactMap { $0 }.min()
            guard let message = mailbox.next(until: deadline) else {
                if let release = releaseDeadline, DispatchTime.now() >= release {
                    releaseDeadline = nil
                    releaseTakenAhead(running: job.id)
                    continue
                }
                signals.markSoftLimit(softLimit ?? 0)
                task.cancel()
                softDeadline = nil
                logger.info("soft time limit (\(softLimit ?? 0)s) exceeded", metadata: ["job": "\(job.id)"])
                continue
            }
            switch message {
            case .progress(let current, let total, let text):
                progress(job.id, current: current, total: total, message: text)
            case .finished(let result):
                if let (current, total, text) = signals.takePendingProgress() {
                    progress(job.id, current: current, total: total, message: text)
                }
                return result
            }
        }
    }

    private func outcome(of job: FetchedJob, result: Result<JSONValue, any Error>, runtime: Double, maxRetries: Int) -> JobOutcome {
        switch result {
        case .success(let value):
            return JobOutcome(id: job.id, delivery: job.delivery, kind: .success, resultJSON: value.jsonText, runtime: runtime)
        case .failure(let error):
            let (exception, traceback) = Self.describe(error, job: job, worker: configuration.name, pid: pid)
            let retryable = !(error is InvalidArguments) && !(error is NotRegistered) && !(error is InvalidResult)
            if retryable && job.retries < maxRetries {
                let countdown = (error as? RetryRequest)?.countdown ?? Self.backoff(attempt: job.retries)
                logger.info("job failed, retry \(job.retries + 1) of \(maxRetries) in \(String(format: "%.1f", countdown))s: \(exception)",
                            metadata: ["job": "\(job.id)"])
                return JobOutcome(id: job.id, delivery: job.delivery, kind: .retry, exception: exception, traceback: traceback, runtime: runtime,
                                  retryAt: Clock.now() + countdown)
            }
            return JobOutcome(id: job.id, delivery: job.delivery, kind: .failure, exception: exception, traceback: traceback, runtime: runtime)
        }
    }

    /// Exponential backoff with jitter: about 1, 2, 4 ... seconds, at most 10 minutes.
    static func backoff(attempt: Int) -> Double {
        let ceiling = min(600, pow(2, Double(min(attempt, 20))))
        return Double.random(in: (ceiling / 2)...ceiling)
    }

    /// "Type: message" and a report of where it happened (Swift errors carry no stack trace).
    static func describe(_ error: any Error, job: FetchedJob, worker: String, pid: String) -> (String, String) {
        let typeName = String(describing: type(of: error))
        let text = String(describing: error)
        let exception = text.hasPrefix(typeName) || text.contains(": ") && text.first?.isUppercase == true
            && text.prefix(while: { $0 != ":" }).allSatisfy { $0.isLetter }
            ? text : "\(typeName): \(text)"
        let traceback = """
            \(exception)
              task \(job.task) [\(job.id)], attempt \(job.retries + 1), delivery \(job.deliveries)
              on worker \(worker), child pid \(pid)
              error value: \(String(reflecting: error))
            """
        return (exception, traceback)
    }

    // MARK: - Talking to the supervisor

    private func tellSupervisor(_ line: String) {
        _ = writeAll(notifyDescriptor, Array((line + "\n").utf8))
    }

    /// Reads the supervisor's commands on stdin: "stop" (finish the current job, then exit) and
    /// "queues a,b" (the consumed queues changed). End of input means the supervisor died: exit
    /// now, and the job in flight is recovered from the in-flight list.
    private func startCommandReader() {
        let commands = self.commands
        let thread = Thread {
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 512)
            while true {
                let count = read(0, &chunk, chunk.count)
                if count <= 0 {
                    if count < 0 && errno == EINTR { continue }
                    _exit(0)
                }
                buffer.append(contentsOf: chunk[0..<count])
                while let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    commands.apply(line)
                }
            }
        }
        thread.name = "petal-child-commands"
        thread.start()
    }
}

/// The job names a task this worker does not have.
struct NotRegistered: Error, CustomStringConvertible {
    let task: String
    let worker: String
    var description: String { "NotRegistered: no task named '\(task)' is registered on worker \(worker)" }
}

/// What the supervisor has told this child so far, shared by the command reader and the main loop.
final class ChildCommands: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let currentQueues: Mutex<[String]>

    init(queues: [String]) { currentQueues = Mutex(queues) }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }
    var queues: [String] { currentQueues.withLock { $0 } }

    func apply(_ line: String) {
        if line == "stop" {
            stopping.store(true, ordering: .relaxed)
        } else if line.hasPrefix("queues ") {
            let names = line.dropFirst(7).split(separator: ",").map(String.init)
            if !names.isEmpty { currentQueues.withLock { $0 = names } }
        }
    }
}
