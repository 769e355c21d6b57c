import Foundation
import PetalRedis

/// What a web app, the CLI and the monitor call: enqueue, look up, wait for, revoke jobs.
/// Everything goes through Petal's Redis function library (`PetalCall`s) or plain reads of the
/// keys in docs/PROTOCOL.md; the Redis client it runs on stays inside.
public struct PetalClient: Sendable {
    let redis: RedisClient
    public let keys: Keys

    public init(redis: RedisClient, keys: Keys = Keys()) {
        self.redis = redis
        self.keys = keys
    }

    /// A client with a pool of `poolSize` connections (each on a thread of its own).
    public init(configuration: RedisConfiguration, poolSize: Int = 4, keys: Keys = Keys()) {
        self.init(redis: RedisClient(configuration: configuration, poolSize: poolSize), keys: keys)
    }

    /// Stops the client's connection threads; later calls fail with `RedisError.closed`.
    public func shutdown() { redis.shutdown() }

    /// Whether Redis answers (the pool replaces a stale connection first).
    public func ping() async throws(PetalError) {
        _ = try await run { connection throws(RedisError) in try connection.command("PING") }
    }

    /// Enqueues one job and returns its id. One round trip.
    @discardableResult
    public func enqueue(_ request: EnqueueRequest) async throws(PetalError) -> String {
        try await enqueue(many: [request])[0]
    }

    /// Jobs per enqueue call: one call is atomic, so a batch is all there or not at all.
    static let enqueueBatch = 100

    /// Enqueues many jobs: one call per batch of 100, all batches in one pipeline. A job with an
    /// id that already has a record is left as it is (the id is returned all the same).
    public func enqueue(many requests: [EnqueueRequest]) async throws(PetalError) -> [String] {
        for request in requests { try request.validate() }
        let now = Clock.now()
        let jobs = requests.map { EnqueueCall.Job($0, id: $0.id ?? UUID().uuidString.lowercased(), now: now) }
        let calls = stride(from: 0, to: jobs.count, by: Self.enqueueBatch).map { start in
            let range = start..<min(start + Self.enqueueBatch, jobs.count)
            return EnqueueCall(producer: Self.producer, jobs: Array(jobs[range]), newIDs: requests[range].allSatisfy { $0.id == nil })
        }
        let keys = self.keys
        _ = try await run { connection throws(RedisError) in
            _ = try connection.call(each: calls, keys: keys, now: now)
            try connection.waitForReplicas()  // the durability mode: the jobs are on the replicas too
        }
        return jobs.map(\.id)
    }

    /// This process as a producer of jobs, as Celery names it in `task-sent` (`<program>-<pid>@<host>`).
    static let producer = "\(ProcessInfo.processInfo.processName)-\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"

    /// The job's record, or nil when there is no such job (never was, or trimmed by retention).
    public func job(_ id: String) async throws(PetalError) -> JobRecord? {
        let key = keys.job(id)
        let reply = try await run { connection throws(RedisError) in try connection.command(["HGETALL", RedisArgument(key)]) }
        return JobRecord(id: id, fields: reply.fieldMap)
    }

    /// Many records in one round trip, in the order asked (nil for ids that are gone).
    public func jobs(_ ids: [String]) async throws(PetalError) -> [JobRecord?] {
        let hashKeys = ids.map(keys.job)
        let hashes = try await run { connection throws(RedisError) in try connection.hashes(hashKeys) }
        return zip(ids, hashes).map { JobRecord(id: $0, pairs: $1) }
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
        let reply = try await call(RevokeCall(id: id, terminate: terminate))
        if reply.outcome == .running, terminate, let worker = reply.worker {
            try await broadcast(.terminate(id: id, signal: signal), destination: [worker])
        }
        return reply.outcome
    }

    /// Runs one call of Petal's library on a pooled connection.
    public func call<Call: PetalCall>(_ call: Call) async throws(PetalError) -> Call.Reply {
        let keys = self.keys
        return try await run { connection throws(RedisError) in try connection.call(call, keys: keys) }
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
