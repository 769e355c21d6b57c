import PetalRedis

extension PetalClient {
    /// Stops workers taking jobs from `queue` (they stay queued) until `resume`.
    public func pause(queue: String) async throws(PetalError) {
        try QueueName.validate(queue)
        let key = keys.paused
        _ = try await run { connection throws(RedisError) in try connection.command(["SADD", RedisArgument(key), RedisArgument(queue)]) }
    }

    public func resume(queue: String) async throws(PetalError) {
        try QueueName.validate(queue)
        let key = keys.paused
        _ = try await run { connection throws(RedisError) in try connection.command(["SREM", RedisArgument(key), RedisArgument(queue)]) }
    }

    /// Empties a queue; each job waiting on it ends REVOKED ("Purged"), so none is left PENDING
    /// forever. Returns how many were purged. Scheduled jobs are not touched.
    @discardableResult
    public func purge(queue: String) async throws(PetalError) -> Int {
        try QueueName.validate(queue)
        return try await call(PurgeCall(queue: queue))
    }

    /// Enqueues a copy of a job (same task, arguments, queue, group, limits and parent) and returns
    /// the new id: the monitor's "retry".
    public func retry(copyOf id: String) async throws(PetalError) -> String {
        guard let record = try await job(id) else { throw .jobNotFound(id) }
        var request = EnqueueRequest(task: record.task, argsJSON: record.argsJSON, kwargsJSON: record.kwargsJSON, queue: record.queue)
        request.group = record.group
        request.parent = record.parent
        request.softTimeLimit = record.softTimeLimit
        request.timeLimit = record.timeLimit
        request.maxRetries = record.maxRetries
        return try await enqueue(request)
    }
}
