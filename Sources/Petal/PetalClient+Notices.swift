import PetalRedis

extension PetalClient {
    /// Notices about one job, on a connection and thread of their own (dropped with the sequence).
    public func notices(job id: String) -> JobNotices {
        JobNotices(subscription: redis.subscribe(channels: [keys.jobChannel(id)]))
    }

    /// Notices about a group's jobs (a visitor's, a user's).
    public func notices(group: String) -> JobNotices {
        JobNotices(subscription: redis.subscribe(channels: [keys.groupChannel(group)]))
    }

    /// Notices about the jobs of every group, on one subscription: a web process that serves many
    /// groups fans these out (each notice names its group) rather than subscribing per group.
    public func noticesOfEveryGroup() -> JobNotices {
        JobNotices(subscription: redis.subscribe(patterns: [keys.groupChannel("*")]))
    }

    /// Waits up to `timeout` seconds for the job to reach a final state; returns the record as it
    /// is then (final or not), or nil for an unknown job. It listens on the job's channel, and reads
    /// the record again on each notice and at least every `recheck` seconds, so a notice lost to
    /// a dropped connection delays the answer by at most that.
    public func wait(for id: String, timeout: Double, recheck: Double = 0.5) async throws(PetalError) -> JobRecord? {
        let deadline = Clock.now() + timeout
        guard let first = try await job(id) else { return nil }
        if first.state.isFinal || timeout <= 0 { return first }
        let (wakeUps, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let notices = self.notices(job: id)
        let listener = Task {
            for await event in notices {
                if case .notice(let notice) = event, !notice.state.isFinal { continue }
                wake.yield()  // an end, the subscription in place (so nothing falls before it), or a reconnection
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(min(recheck, max(deadline - Clock.now(), 0.001))))
                wake.yield()
            }
        }
        defer {
            listener.cancel()
            ticker.cancel()
            wake.finish()
        }
        for await _ in wakeUps {
            guard let record = try await job(id) else { return nil }
            if record.state.isFinal || Clock.now() >= deadline { return record }
        }
        return try await job(id)
    }
}
