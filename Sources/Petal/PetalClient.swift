import Foundation
import PetalRedis

/// What a web app, the CLI and the monitor call: enqueue, look up, wait for, revoke jobs.
/// Everything goes through Petal's Lua scripts or plain reads of the keys in docs/PROTOCOL.md.
public struct PetalClient: Sendable {
    public let redis: RedisClient
    public let keys: Keys

    public init(redis: RedisClient, keys: Keys = Keys()) {
        self.redis = redis
        self.keys = keys
    }

    /// Enqueues one job and returns its id. One round trip.
    @discardableResult
    public func enqueue(_ request: EnqueueRequest) async throws(PetalError) -> String {
        try await enqueue(many: [request])[0]
    }

    /// Enqueues many jobs: one script call per batch of 100, all batches in one pipeline.
    public func enqueue(many requests: [EnqueueRequest]) async throws(PetalError) -> [String] {
        for request in requests { try request.validate() }
        let now = Clock.now()
        var ids: [String] = []
        ids.reserveCapacity(requests.count)
        var commands: [[RedisArgument]] = []
        var start = 0
        while start < requests.count {
            let batch = requests[start..<min(start + 100, requests.count)]
            var argv = PetalScripts.enqueue.evalshaArguments(keys: [], arguments: [
                RedisArgument(keys.prefix), RedisArgument(Clock.text(now)), RedisArgument(batch.count), RedisArgument(Self.producer),
            ])
            for request in batch {
                let id = request.id ?? UUID().uuidString.lowercased()
                ids.append(id)
                argv.append(contentsOf: Self.enqueueFields(request, id: id, now: now))
            }
            commands.append(argv)
            start += 100
        }
        let sentCommands = commands
        let replies: [RedisValue]
        do {
            replies = try await redis.withConnection { connection throws(RedisError) in
                var replies = try connection.pipeline(sentCommands)
                if replies.contains(where: { if case .error(let m) = $0 { return m.hasPrefix("NOSCRIPT") } else { return false } }) {
                    try connection.command(["SCRIPT", "LOAD", RedisArgument(PetalScripts.enqueue.source)])
                    // Only the batches Redis refused run again, so no job is created twice.
                    for (index, reply) in replies.enumerated() {
                        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                            replies[index] = try connection.send(sentCommands[index])
                        }
                    }
                }
                try connection.waitForReplicas()  // the durability mode: the jobs are on the replicas too
                return replies
            }
        } catch {
            throw .redis(error)
        }
        for reply in replies {
            if case .error(let message) = reply { throw .redis(.server(message)) }
        }
        return ids
    }

    /// This process as a producer of jobs, as Celery names it in `task-sent` (`<program>-<pid>@<host>`).
    static let producer = "\(ProcessInfo.processInfo.processName)-\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"

    /// The protocol's field order for one job in the enqueue script's arguments.
    private static func enqueueFields(_ request: EnqueueRequest, id: String, now: Double) -> [RedisArgument] {
        let eta = request.eta?.timeIntervalSince1970 ?? request.countdown.map { now + $0 }
        func optional(_ value: Double?) -> RedisArgument { value.map { RedisArgument(Clock.text($0)) } ?? "" }
        func seconds(_ value: Double?) -> RedisArgument { value.map { RedisArgument(String($0)) } ?? "" }
        return [
            RedisArgument(id), RedisArgument(request.task), RedisArgument(request.queue),
            RedisArgument(request.argsJSON), RedisArgument(request.kwargsJSON),
            RedisArgument(request.group ?? ""), RedisArgument(request.parent ?? ""), RedisArgument(request.maxRetries),
            seconds(request.softTimeLimit), seconds(request.timeLimit), optional(eta),
            optional(request.expiresIn.map { now + $0 }), RedisArgument(Clock.text(now)),
        ]
    }

    /// The job's record, or nil when there is no such job (never was, or trimmed by retention).
    public func job(_ id: String) async throws(PetalError) -> JobRecord? {
        let key = keys.job(id)
        let reply = try await run { connection throws(RedisError) in try connection.command(["HGETALL", RedisArgument(key)]) }
        return JobRecord(fields: reply.fieldMap)
    }

    /// Many records in one round trip, in the order asked (nil for ids that are gone).
    public func jobs(_ ids: [String]) async throws(PetalError) -> [JobRecord?] {
        let hashKeys = ids.map(keys.job)
        let hashes = try await run { connection throws(RedisError) in try connection.hashes(hashKeys) }
        return hashes.map { JobRecord(pairs: $0) }
    }

    /// Waits up to `timeout` seconds for the job to reach a final state; returns the record as it
    /// is then (final or not), or nil for an unknown job.
    public func wait(for id: String, timeout: Double) async throws(PetalError) -> JobRecord? {
        let deadline = Clock.now() + timeout
        var delay = 0.01
        while true {
            guard let record = try await job(id) else { return nil }
            if record.state.isFinal || Clock.now() >= deadline { return record }
            try? await Task.sleep(for: .seconds(min(delay, max(deadline - Clock.now(), 0.001))))
            delay = min(delay * 2, 0.2)
        }
    }

    /// What a revoke did.
    public enum RevokeOutcome: String, Sendable {
        /// No such job.
        case unknown
        /// Already finished; nothing to do.
        case finished
        /// It was waiting; it is REVOKED now and will never run.
        case revoked
        /// It is running: with terminate, its process is being killed; without, it runs to the end.
        case running
    }

    /// Revokes a job (Celery's `revoke`). A pending job is never started; a running one is killed
    /// when `terminate` is true (SIGTERM, then SIGKILL after the worker's grace period) and ends REVOKED.
    @discardableResult
    public func revoke(_ id: String, terminate: Bool = false, signal: String = "SIGTERM") async throws(PetalError) -> RevokeOutcome {
        let reply = try await evaluate(PetalScripts.revoke, [RedisArgument(id), terminate ? "1" : "0"])
        guard let parts = reply.array, let status = parts.first?.string, let outcome = RevokeOutcome(rawValue: status) else {
            throw .protocolViolation("revoke script answered \(reply)")
        }
        if outcome == .running, terminate, let worker = parts[1].string, !worker.isEmpty {
            try await broadcast(.terminate(id: id, signal: signal), destination: [worker])
        }
        return outcome
    }

    /// Runs one of the protocol's scripts with the prefix and clock in front of `arguments`.
    func evaluate(_ script: RedisScript, _ arguments: [RedisArgument]) async throws(PetalError) -> RedisValue {
        let argv = [RedisArgument(keys.prefix), RedisArgument(Clock.text(Clock.now()))] + arguments
        return try await run { connection throws(RedisError) in try connection.evaluate(script, arguments: argv) }
    }

    /// Runs Redis work on a pooled connection, turning Redis errors into `PetalError.redis`.
    func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T) async throws(PetalError) -> T {
        do {
            return try await redis.withConnection(body)
        } catch {
            throw .redis(error)
        }
    }
}
