/// Finding the primary through Redis Sentinel, as redis-py's `Sentinel.master_for` does: ask each
/// sentinel in turn for the primary's address (`SENTINEL get-master-addr-by-name`), connect to it,
/// and keep it only if it says it is the primary (`ROLE`): during a failover a sentinel can still
/// name the old primary, which may have come back as a replica.
extension RedisConnection {
    func openPrimary(of sentinel: RedisSentinel) throws(RedisError) {
        var problems: [String] = []
        for address in sentinel.sentinels {
            let asker = RedisConnection(configuration: configuration.direct(
                host: address.host, port: address.port, username: sentinel.username, password: sentinel.password, database: 0))
            defer { asker.close() }
            let named: RedisValue
            do {
                named = try asker.command(["SENTINEL", "get-master-addr-by-name", RedisArgument(sentinel.masterName)])
            } catch {
                problems.append("sentinel \(address.host):\(address.port): \(Self.shortReason(error))")
                continue
            }
            guard let parts = named.array, parts.count == 2, let host = parts[0].string, let port = parts[1].int else {
                problems.append("sentinel \(address.host):\(address.port) knows no primary named '\(sentinel.masterName)'")
                continue
            }
            do {
                try open(.tcp(host: host, port: port))
                // Still connecting: a failure here is reported, not retried on a fresh connection.
                connecting = true
                defer { connecting = false }
                let role = try command("ROLE").array?.first?.string ?? "?"
                if role == "master" { return }
                close()
                problems.append("sentinel \(address.host):\(address.port) names \(host):\(port), which is a \(role == "slave" ? "replica" : role) now")
            } catch {
                close()
                // Wrong credentials or missing rights on the primary are not a failover: say so at once.
                guard error.isConnectionError else { throw error }
                problems.append("\(host):\(port), named by sentinel \(address.host):\(address.port): \(Self.shortReason(error))")
            }
        }
        throw .connection("\(configuration): no primary '\(sentinel.masterName)' reachable through the sentinels: \(problems.joined(separator: "; "))")
    }

    private static func shortReason(_ error: RedisError) -> String {
        guard case .connection(let message) = error else { return error.description }
        // The asker's message starts with its own URL; the sentinel's address is said already.
        if let colon = message.range(of: ": ") { return String(message[colon.upperBound...]) }
        return message
    }
}
