/// What health checks say about Redis: the role of the server a client talks to (it must be the
/// primary to take writes), where it is, and under Sentinel the name the sentinels know it by.
public struct RedisServerStatus: Sendable, Equatable {
    /// `primary`, `replica` or `sentinel` (ROLE's master, slave, sentinel).
    public var role: String
    /// `host:port` (or a socket path) of that server: under Sentinel, the current primary.
    public var address: String
    /// The primary's name under Sentinel, nil otherwise.
    public var sentinelMaster: String?

    public init(role: String, address: String, sentinelMaster: String?) {
        self.role = role
        self.address = address
        self.sentinelMaster = sentinelMaster
    }
}

extension RedisConnection {
    /// Asks the server its role (ROLE), connecting first if needed (through Sentinel, to the primary).
    public func serverStatus() throws(RedisError) -> RedisServerStatus {
        let reply = try command("ROLE")
        let role = switch reply.array?.first?.string {
        case "master": "primary"
        case "slave": "replica"
        case let other?: other
        case nil: "unknown"
        }
        var master: String?
        if case .sentinel(let sentinel) = configuration.endpoint { master = sentinel.masterName }
        return RedisServerStatus(role: role, address: serverAddress ?? "?", sentinelMaster: master)
    }
}

extension RedisClient {
    /// The role and address of the server this client's connections use.
    public func serverStatus() async throws(RedisError) -> RedisServerStatus {
        try await withConnection { connection throws(RedisError) in try connection.serverStatus() }
    }
}
