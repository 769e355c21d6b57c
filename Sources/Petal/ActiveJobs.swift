import PetalRedis

/// A worker's running jobs as Redis holds them: the ids in its in-flight list (`P:inflight:<worker>`)
/// and their records. Fetch writes both in the step that starts a job, so a job shows as active the
/// moment it starts; the heartbeat's `active` field is as old as the last beat.
enum ActiveJobs {
    /// The running jobs of each named worker, oldest start first. Two round trips for all of them.
    static func read(_ workers: [String], keys: Keys, connection: RedisConnection) throws(RedisError) -> [[WorkerRecord.ActiveJob]] {
        if workers.isEmpty { return [] }
        let lists = try connection.pipeline(workers.map { ["LRANGE", RedisArgument(keys.inflight($0)), "0", "-1"] })
        let ids = lists.map { ($0.array ?? []).compactMap(\.string) }
        let records = try connection.pipeline(ids.joined().map { ["HMGET", RedisArgument(keys.job($0)), "task", "pid", "started", "state", "worker"] })
        var next = records.makeIterator()
        return zip(workers, ids).map { worker, ids in
            ids.compactMap { id -> WorkerRecord.ActiveJob? in
                guard let fields = next.next()?.array, fields.count == 5 else { return nil }
                // Only jobs still running for this worker: an id between a child's death and the
                // supervisor's settling of it may be in the list in another state.
                guard let state = fields[3].string, state == "STARTED" || state == "PROGRESS",
                      fields[4].string == worker else { return nil }
                return WorkerRecord.ActiveJob(id: id, task: fields[0].string ?? "", pid: fields[1].int ?? 0,
                                              started: fields[2].double ?? 0)
            }.sorted { $0.started < $1.started }
        }
    }
}
