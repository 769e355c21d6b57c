import Foundation
import PetalRedis

/// Periodic schedules (docs/API.md, "Schedules"): define, list, pause, resume, run now, remove.
/// The workers run them; these only change what is stored.
extension PetalClient {
    /// Creates or replaces a schedule. `origin` says who defined it: `cli`, `api` or `code` (a
    /// worker's registry; those are reconciled at each worker start). Returns true when created.
    @discardableResult
    public func saveSchedule(_ definition: ScheduleDefinition, origin: String, now: Double = Clock.now()) async throws(PetalError) -> Bool {
        try definition.validate()
        guard let next = definition.timing.next(after: now) else {
            throw .invalidRequest("schedule '\(definition.name.prefix(60))' would never run")
        }
        let (call, keys) = (ScheduleSaveCall(definition: definition, origin: origin, next: next), self.keys)
        return try await run { connection throws(RedisError) in try connection.call(call, keys: keys, now: now) }
    }

    /// Every schedule, by name (byte order).
    public func schedules() async throws(PetalError) -> [ScheduleRecord] {
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            let names = (try connection.command(["ZRANGE", RedisArgument(keys.schedules), "0", "-1"]).array ?? []).compactMap(\.string)
            let hashes = try connection.hashes(names.map(keys.schedule))
            return zip(names, hashes).compactMap { name, pairs in
                ScheduleRecord(name: name, fields: Dictionary(pairs, uniquingKeysWith: { $1 }))
            }.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        }
    }

    /// One schedule, or nil when there is none by that name.
    public func schedule(named name: String) async throws(PetalError) -> ScheduleRecord? {
        let key = keys.schedule(name)
        let reply = try await run { connection throws(RedisError) in try connection.command(["HGETALL", RedisArgument(key)]) }
        return ScheduleRecord(name: name, fields: reply.fieldMap)
    }

    /// Pauses a schedule (no tick runs until it is resumed). False when there is no such schedule.
    @discardableResult
    public func pauseSchedule(_ name: String) async throws(PetalError) -> Bool {
        let keys = self.keys
        return try await run { connection throws(RedisError) in try connection.call(SchedulePauseCall(name: name, paused: true), keys: keys) }
    }

    /// Resumes a schedule from its next tick after now (ticks while it was paused are not run).
    /// False when there is no such schedule.
    @discardableResult
    public func resumeSchedule(_ name: String, now: Double = Clock.now()) async throws(PetalError) -> Bool {
        guard let record = try await schedule(named: name) else { return false }
        let timing: ScheduleTiming
        do { timing = try ScheduleTiming(when: record.when, zone: record.zone) } catch {
            throw .invalidRequest("schedule '\(name.prefix(60))' cannot resume: \(error); replace it with a readable timing")
        }
        guard let next = timing.next(after: now) else {
            throw .invalidRequest("schedule '\(name.prefix(60))' would never run again")
        }
        let keys = self.keys
        return try await run { connection throws(RedisError) in
            try connection.call(SchedulePauseCall(name: name, paused: false, next: next), keys: keys, now: now)
        }
    }

    /// "Run now": enqueues one job of the schedule at once (paused or not). Returns the job's id,
    /// or nil when there is no such schedule.
    public func runSchedule(_ name: String) async throws(PetalError) -> String? {
        let (keys, id) = (self.keys, UUID().uuidString.lowercased())
        let call = ScheduleRunCall(name: name, producer: Self.producer, jobID: id)
        return try await run { connection throws(RedisError) in try connection.call(call, keys: keys) } ? id : nil
    }

    /// Removes a schedule (the jobs it enqueued stay). False when there was none.
    @discardableResult
    public func removeSchedule(_ name: String) async throws(PetalError) -> Bool {
        let keys = self.keys
        return try await run { connection throws(RedisError) in try connection.call(ScheduleRemoveCall(.names([name])), keys: keys) }.count == 1
    }
}
