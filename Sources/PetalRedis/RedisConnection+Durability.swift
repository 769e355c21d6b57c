/// The durability mode (`--redis-wait-replicas N`). Redis replicates asynchronously: a write the
/// primary acknowledged can be lost if the primary dies before a replica has it, and Sentinel then
/// promotes a replica without it. After a step that creates or ends work, Petal can wait until N
/// replicas have everything this connection wrote (`WAIT N timeout`), so a failover to one of them
/// keeps that step. It costs a round trip to the replicas per step.
extension RedisConnection {
    /// Waits until `replicasToWait` replicas have this connection's writes; does nothing when the
    /// mode is off. Throws a transient error (`NOREPLICAS`) when fewer confirmed in time: the write
    /// is on the primary, but a failover now could lose it.
    public func waitForReplicas() throws(RedisError) {
        let wanted = configuration.replicasToWait
        guard wanted > 0 else { return }
        let milliseconds = max(1, Int((configuration.replicaWaitTimeout * 1000).rounded()))
        // WAIT blocks on the server for up to its timeout, so the read may take that long too.
        let reply = try blocking(["WAIT", RedisArgument(wanted), RedisArgument(milliseconds)], blockSeconds: configuration.replicaWaitTimeout)
        let confirmed = reply.int ?? 0
        if confirmed < wanted {
            throw .server("NOREPLICAS \(confirmed) of \(wanted) replica(s) confirmed the write within \(milliseconds) ms (--redis-wait-replicas); \(confirmed == 0 ? "it is on the primary only" : "it is on the primary and \(confirmed) replica(s)"), so a failover now could lose it")
        }
    }
}
