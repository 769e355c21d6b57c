import Petal
import PetalRedis

/// Stores a registry's code-defined schedules at worker start, reconciled by name: each one is
/// saved (a changed one replaced, its next run kept when its timing is the same) and the code
/// schedules of this registry's tasks that it no longer defines are removed, so a deploy that drops
/// one removes it. Schedules from the CLI or the monitor, and those of other applications' tasks,
/// are left alone.
public enum ScheduleReconciler {
    /// Returns the names removed.
    @discardableResult
    public static func reconcile(_ registry: TaskRegistry, on connection: RedisConnection, keys: Keys,
                                 now: Double = Clock.now()) throws(RedisError) -> [String] {
        let saves = registry.schedules.values.sorted { $0.name < $1.name }.compactMap { definition in
            definition.timing.next(after: now).map { ScheduleSaveCall(definition: definition, origin: "code", next: $0) }
        }
        if !saves.isEmpty { _ = try connection.call(each: saves, keys: keys, now: now) }
        let reconcile = ScheduleRemoveCall(.reconcile(tasks: registry.names, kept: registry.schedules.keys.sorted()))
        return try connection.call(reconcile, keys: keys, now: now)
    }
}
