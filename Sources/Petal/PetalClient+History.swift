import PetalRedis

extension PetalClient {
    /// A page of the job history answering `query` (see `JobQuery`): one `QueryCall` to choose the
    /// ids, one pipeline to read their records.
    public func jobs(matching query: JobQuery) async throws(PetalError) -> JobPage {
        let state = query.state ?? query.search.state
        let task = query.task ?? query.search.name
        let worker = query.worker ?? query.search.worker
        let queue = query.queue ?? query.search.queue
        let (segments, mode) = try await segments(for: query.sortKey, state: state, task: task, worker: worker, queue: queue)
        // Exact: one filter at most, and it is the very index walked, so no record needs reading.
        let filters = [state != nil, task != nil, worker != nil, queue != nil].filter { $0 }.count
        let sortFieldFiltered = switch query.sortKey {
        case .sent: true
        case .name: task != nil
        case .state: state != nil
        case .queue: queue != nil
        case .worker: worker != nil
        case .runtime, .id, .args, .kwargs, .result: false
        }
        var call = QueryCall()
        call.exact = query.sortKey.unindexedField == nil && query.search.terms.isEmpty
            && (filters == 0 || (filters == 1 && sortFieldFiltered))
        call.descending = query.descending
        (call.sentAfter, call.sentBefore) = (query.sentAfter, query.sentBefore)
        (call.offset, call.limit, call.scanBudget) = (query.offset, query.limit, query.scanBudget)
        (call.state, call.task, call.worker, call.queue) = (state, task, worker, queue)
        call.terms = query.search.terms
        (call.segments, call.mode) = (segments, mode)
        let page = try await self.call(call)
        let records = try await jobs(page.ids).compactMap { $0 }
        return JobPage(jobs: records, total: page.total, hasMore: page.hasMore, truncated: page.truncated)
    }

    /// The indexes to walk for a sort order: for time order the narrowest filter's index; for a
    /// field order one index per value of that field, in order; for a field without an index the
    /// narrowest filter's index, newest first, and the field to sort the matches by.
    private func segments(for sort: JobQuery.SortKey, state: JobState?, task: String?, worker: String?, queue: String?)
        async throws(PetalError) -> ([String], QueryCall.Mode) {
        switch sort {
        case .sent, .runtime, .id, .args, .kwargs, .result:
            var candidates: [String] = []
            if let state { candidates.append(keys.jobs(state: state)) }
            if let task { candidates.append(keys.jobs(task: task)) }
            if let worker { candidates.append(keys.jobs(worker: worker)) }
            if let queue { candidates.append(keys.jobs(queue: queue)) }
            if let field = sort.unindexedField { return (candidates.isEmpty ? [keys.jobs] : candidates, .field(field)) }
            return (candidates.isEmpty ? [keys.jobs] : candidates, candidates.isEmpty ? .all : .smallest)
        case .name:
            let names = if let task { [task] } else { try await taskNames() }
            return (names.map(keys.jobs(task:)), .ordered)
        case .state:
            let states = state.map { [$0] } ?? JobState.allCases.sorted { $0.rawValue < $1.rawValue }
            return (states.map(keys.jobs(state:)), .ordered)
        case .queue:
            let names = if let queue { [queue] } else { try await queueNames() }
            return (names.map(keys.jobs(queue:)), .ordered)
        case .worker:
            let names = if let worker { [worker] } else { try await workerNames() }
            return (names.map(keys.jobs(worker:)), .ordered)
        }
    }

    /// Every queue name ever enqueued to, sorted.
    public func queueNames() async throws(PetalError) -> [String] {
        let key = keys.queues
        let reply = try await run { connection throws(RedisError) in try connection.command(["SMEMBERS", RedisArgument(key)]) }
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    /// The ids of jobs enqueued with `id` as their parent.
    public func children(of id: String) async throws(PetalError) -> [String] {
        let key = keys.children(of: id)
        let reply = try await run { connection throws(RedisError) in try connection.command(["SMEMBERS", RedisArgument(key)]) }
        return (reply.array ?? []).compactMap(\.string).sorted()
    }

    /// The children of each job, in one round trip (the task list's `children` fields).
    public func children(ofEach ids: [String]) async throws(PetalError) -> [[String]] {
        guard !ids.isEmpty else { return [] }
        let commands: [[RedisArgument]] = ids.map { ["SMEMBERS", RedisArgument(keys.children(of: $0))] }
        let replies = try await run { connection throws(RedisError) in try connection.pipeline(commands) }
        return replies.map { ($0.array ?? []).compactMap(\.string).sorted() }
    }

    /// Jobs waiting for a countdown, ETA or retry, soonest first, with when they are due.
    public func scheduledJobs(limit: Int = 100) async throws(PetalError) -> [(id: String, due: Double)] {
        let key = keys.scheduled
        let reply = try await run { connection throws(RedisError) in
            try connection.command(["ZRANGE", RedisArgument(key), "0", RedisArgument(max(0, limit - 1)), "WITHSCORES"])
        }
        let items = reply.array ?? []
        return stride(from: 0, to: items.count - 1, by: 2).compactMap { index in
            guard let id = items[index].string, let due = items[index + 1].double else { return nil }
            return (id, due)
        }
    }
}
