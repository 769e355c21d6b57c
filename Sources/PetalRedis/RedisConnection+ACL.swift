import Synchronization

/// Saying which command an ACL user may not run. Outside a script Redis names it; inside one it
/// says only "The user executing the script can't run this command". Then the connection asks
/// Redis itself (`redis.acl_check_cmd`, Redis 7) which of the commands the script calls this user
/// may not run, and says those.
extension RedisConnection {
    static let aclDiagnosis = RedisScript(name: "acl_diagnosis", source: """
        local refused = {}
        local probe = KEYS[1]
        for _, command in ipairs(ARGV) do
          local ok, allowed = pcall(redis.acl_check_cmd, command, probe, probe, probe, probe, probe, probe)
          if ok and not allowed then refused[#refused + 1] = command end
        end
        return refused
        """)

    /// An error reply to EVALSHA told with the command the ACL refused inside the script, when
    /// the script is one this process knows (`ScriptRegistry`); any other value unchanged.
    func explainingScriptRefusal(_ value: RedisValue, for argv: [RedisArgument]) -> RedisValue {
        guard case .error(let message) = value, Self.isScriptACLRefusal(message), argv.count >= 3,
              String(decoding: argv[0].bytes, as: UTF8.self).uppercased() == "EVALSHA",
              let script = ScriptRegistry.script(sha: String(decoding: argv[1].bytes, as: UTF8.self)),
              script.name != Self.aclDiagnosis.name else { return value }
        // Petal's scripts take the key prefix as their first argument, after the keys.
        let keyCount = Int(String(decoding: argv[2].bytes, as: UTF8.self)) ?? 0
        let prefix = argv.count > 3 + keyCount ? String(decoding: argv[3 + keyCount].bytes, as: UTF8.self) : "key"
        return .error(explainedScriptRefusal(message, script: script, probeKey: prefix + ":acl-probe"))
    }

    /// True for the errors Redis gives when a script's own call is refused by the ACL.
    static func isScriptACLRefusal(_ message: String) -> Bool {
        message.contains("The user executing the script can't")
    }

    /// The refusal told with the commands this user may not run. `probeKey` is a key the script
    /// would use (Petal's scripts take the key prefix first), so only command rights are tested.
    private func explainedScriptRefusal(_ message: String, script: RedisScript, probeKey: String) -> String {
        let user = configuration.username.map { "ACL user '\($0)'" } ?? "the default user"
        let advice = "docs/PROTOCOL.md lists the ACL rules Petal needs"
        if message.contains("access at least one of the keys") {
            return "NOPERM the script '\(script.name)' uses keys like \(probeKey), which \(user) may not touch (Redis: \(message)); \(advice)"
        }
        let commands = Self.commandsCalled(by: script.source)
        let refused = (try? evaluate(Self.aclDiagnosis, keys: [RedisArgument(probeKey)], arguments: commands.map { RedisArgument($0) }))?
            .array?.compactMap(\.string) ?? []
        let named = refused.isEmpty ? "a command it calls" : refused.joined(separator: ", ")
        return "NOPERM Redis refused \(named) inside the script '\(script.name)' for \(user) (Redis: \(message)); \(advice)"
    }

    /// The commands a Lua source calls: `redis.call('XADD', …` and argument tables `{'HSET', …`.
    /// Each quote is looked at on its own (comments hold apostrophes, so quotes do not pair up).
    static func commandsCalled(by source: String) -> [String] {
        var found: [String] = []
        var rest = Substring(source)
        while let quote = rest.firstIndex(of: "'") {
            let before = rest[..<quote]
            rest = rest[rest.index(after: quote)...]
            guard before.hasSuffix("redis.call(") || before.hasSuffix("{") else { continue }
            let word = rest.prefix { $0.isUppercase || $0 == "|" }
            if !word.isEmpty, rest.dropFirst(word.count).first == "'", !found.contains(String(word)) { found.append(String(word)) }
        }
        return found
    }
}

/// The scripts this process has made, by SHA, so an error reply to an EVALSHA can be told with
/// the script's name and commands.
enum ScriptRegistry {
    private static let scripts = Mutex<[String: RedisScript]>([:])

    static func remember(_ script: RedisScript) { scripts.withLock { $0[script.sha] = script } }
    static func script(sha: String) -> RedisScript? { scripts.withLock { $0[sha] } }
}
