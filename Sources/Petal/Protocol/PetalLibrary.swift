import PetalRedis

/// Petal's Redis function library: the `.lua` files of `Sources/Petal/Lua`, embedded in the build
/// by the EmbedLua plugin and laid out as Redis loads them: `prelude.lua` first, then the others
/// in name order. Its name is the one `prelude.lua`'s first line gives (`#!lua name=petal`).
public enum PetalLibrary {
    static let preludeFile = "prelude.lua"

    public static let library: RedisFunctionLibrary = {
        let files = EmbeddedLua.files.filter { $0.name == preludeFile } + EmbeddedLua.files.filter { $0.name != preludeFile }
        let firstLine = files.first?.text.prefix { $0 != "\n" } ?? ""
        let name = firstLine.range(of: "name=").map { String(firstLine[$0.upperBound...].prefix { $0 != " " }) } ?? ""
        return RedisFunctionLibrary(name: name, parts: files.map { ($0.name, $0.text) })
    }()

    /// A call's whole argument list: the key prefix and the clock, then the call's own arguments.
    static func arguments(_ call: some PetalCall, keys: Keys, now: Double) -> [RedisArgument] {
        var arguments = call.arguments
        arguments.insert(contentsOf: [RedisArgument(keys.prefix), RedisArgument(Clock.text(now))], at: 0)
        return arguments
    }
}

/// The functions of the library, as `register` in prelude.lua names them (`petal_<name>`).
public enum PetalFunction: String, Sendable, CaseIterable {
    case enqueue, fetch, finish, progress, revoke, childLost = "child_lost", reap, reapDead = "reap_dead"
    case promote, trim, query, purge, heartbeat
    case scheduleSave = "schedule_save", scheduleTick = "schedule_tick", scheduleRun = "schedule_run"
    case schedulePause = "schedule_pause", scheduleRemove = "schedule_remove", rateLimit = "rate_limit"

    /// The name FCALL takes.
    public var redisName: String { "petal_" + rawValue }
}
