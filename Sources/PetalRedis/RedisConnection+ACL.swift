/// Saying which command an ACL user may not run. Outside Lua Redis names it; inside a function or
/// script it says only "The user executing the script can't run this command". Then the
/// connection asks Redis itself (`redis.acl_check_cmd`, Redis 7, from a one-function library of
/// its own) which of the commands that code calls this user may not run, and says those.
extension RedisConnection {
    static let aclLibrary = RedisFunctionLibrary(name: "petal_acl_diagnosis", parts: [("acl_diagnosis.lua", """
        #!lua name=petal_acl_diagnosis
        -- Which of the commands in args this user may not run, with keys[1] for every argument
        -- (a key the caller may use, so only the command's right is tested).
        redis.register_function{function_name = 'petal_acl_refused', flags = {'no-writes'}, callback = function(keys, args)
          local refused = {}
          local probe = keys[1]
          for _, command in ipairs(args) do
            local ok, allowed = pcall(redis.acl_check_cmd, command, probe, probe, probe, probe, probe, probe)
            if ok and not allowed then refused[#refused + 1] = command end
          end
          return refused
        end}
        """)])

    /// True for the errors Redis gives when a function's or script's own call is refused by the ACL.
    static func isScriptACLRefusal(_ message: String) -> Bool {
        message.contains("The user executing the script can't")
    }

    /// A key the refused code would use: Petal's functions and scripts take the key prefix first.
    static func probeKey(_ arguments: [RedisArgument]) -> String {
        (arguments.first.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "key") + ":acl-probe"
    }

    /// The refusal told with the commands this user may not run among those `source` calls.
    func explainedRefusal(_ message: String, code: String, source: String, probeKey: String) -> String {
        let user = configuration.username.map { "ACL user '\($0)'" } ?? "the default user"
        let advice = "docs/PROTOCOL.md lists the ACL rules Petal needs"
        if message.contains("access at least one of the keys") {
            return "NOPERM \(code) uses keys like \(probeKey), which \(user) may not touch (Redis: \(message)); \(advice)"
        }
        let commands = Self.commandsCalled(by: source).map { RedisArgument($0) }
        let refused = (try? callFunction("petal_acl_refused", in: Self.aclLibrary, keys: [RedisArgument(probeKey)], arguments: commands))?
            .array?.compactMap(\.string) ?? []
        let named = refused.isEmpty ? "a command it calls" : refused.joined(separator: ", ")
        return "NOPERM Redis refused \(named) inside \(code) for \(user) (Redis: \(message)); \(advice)"
    }

    /// The commands Lua source calls: `redis.call('XADD', …` and argument tables `{'HSET', …`.
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
