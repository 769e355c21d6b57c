import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Redis Sentinel on loopback (one primary, one replica, three sentinels): 10,000 jobs run by a
/// worker of concurrency 2 that finds the primary through the sentinels (2 ms jobs, so the run
/// outlasts the moment the test kills the primary however fast the worker is); the primary is killed
/// (SIGKILL) half-way and the run finishes on the promoted replica. Counted, not timed: no job
/// may be lost; in the durability mode (`--redis-wait-replicas 1`) none may run twice either.
/// The figures (time to the first job finished on the new primary, runs twice) are printed.
@Suite("Sentinel failover", .serialized)
struct SentinelFailoverTests {
    static let jobCount = 10_000

    @Test(arguments: [false, true])
    func tenThousandJobsOutliveTheirPrimary(durable: Bool) async throws {
        let cluster = try await SentinelCluster()
        var configuration = try RedisConfiguration(url: cluster.url)
        configuration.replicasToWait = durable ? 1 : 0
        let client = PetalClient(configuration: configuration, poolSize: 4)
        let redis = RedisClient(configuration: configuration, poolSize: 1)
        defer {
            client.shutdown()
            redis.shutdown()
        }
        let worker = try await WorkerProcess(watching: client, redisURL: cluster.url, concurrency: 2,
                                             extraArguments: durable ? ["--redis-wait-replicas", "1"] : [], heartbeatInterval: 1)
        defer { worker.stop() }
        let ids = (0..<Self.jobCount).map { "failover-\($0)" }
        for start in stride(from: 0, to: ids.count, by: 1000) {
            _ = try await client.enqueue(many: ids[start..<min(start + 1000, ids.count)].map { EnqueueRequest(task: "sleep", args: [0.002], id: $0) })
        }
        let enqueuedAt = Clock.now()
        let succeeded = client.keys.jobs(state: .success)
        func done() async throws -> Int { try await redis.command(["ZCARD", RedisArgument(succeeded)]).int ?? 0 }
        try await Eventually.wait("half the jobs done", timeout: 300, interval: 0.02) { try await done() >= Self.jobCount / 2 }

        let killedAt = Clock.now()
        let rateBefore = Double(try await done()) / (killedAt - enqueuedAt)
        kill(try SentinelCluster.serverPID(cluster.primary), SIGKILL)
        // Jobs that end after this moment ended on the new primary: the old one is gone.
        let oldPrimary = RedisConnection(configuration: cluster.primary.configuration)
        try await Eventually.wait("the old primary gone", timeout: 10, interval: 0.001) { (try? oldPrimary.command("PING")) == nil }
        let goneAt = Clock.now()
        // The old node comes back three seconds later, empty; the sentinels make it a replica of the
        // new primary (in the durability mode, the replica WAIT needs).
        try await Task.sleep(for: .seconds(3))
        let returned = try RedisServer(port: cluster.primary.port)
        defer { withExtendedLifetime(returned) {} }

        // Every job finished, or no progress for 60 s (then the counts below say what is missing).
        var last = -1, lastChange = Clock.now()
        while Clock.now() - lastChange < 60 {
            let count = (try? await done()) ?? last
            if count >= Self.jobCount { break }
            if count != last { last = count; lastChange = Clock.now() }
            try await Task.sleep(for: .milliseconds(200))
        }
        let records = try await client.jobs(ids)
        let lost = zip(ids, records).filter { $0.1?.state != .success }.map(\.0)
        let firstAfter = records.compactMap { $0?.succeeded }.filter { $0 > goneAt }.min()
        let runs = worker.runsByJob
        let twice = ids.filter { (runs[$0] ?? 0) > 1 }
        let neverStarted = zip(ids, records).filter { $0.1?.state == .success && runs[$0.0] == nil }.map(\.0)
        let mode = durable ? "durable (--redis-wait-replicas 1)" : "default (asynchronous replication)"
        print(String(format: "[failover] %@: %d jobs at %.0f jobs/s, primary killed after %d; first job finished on the new primary %.2f s after the kill; lost %d; run twice %d",
                     mode, Self.jobCount, rateBefore, Self.jobCount / 2, (firstAfter ?? .nan) - killedAt, lost.count, twice.count))
        #expect(try cluster.currentPrimaryPort() == cluster.replica.port, "the replica was promoted")
        #expect(lost.isEmpty, "lost or unfinished: \(lost.prefix(10)) …; \(worker.log.suffix(3000))")
        #expect(neverStarted.isEmpty, "the log shows every job that ended run: \(neverStarted.prefix(10))")
        if durable {
            #expect(twice.isEmpty, "in the durability mode no job runs twice: \(twice.prefix(10))")
        }
        #expect(firstAfter != nil, "jobs finished on the new primary")
        if !durable { try await Self.healthChecksNameTheNewPrimary(cluster, worker: worker) }
    }

    /// After the failover the monitor and the greeter, started on the sentinel URL, report the
    /// promoted replica as the primary, and the monitor shows the worker's Redis.
    static func healthChecksNameTheNewPrimary(_ cluster: SentinelCluster, worker: WorkerProcess) async throws {
        let primary = "127.0.0.1:\(cluster.replica.port)"
        let monitor = try await ServiceProcess(program: "petal", arguments: ["monitor", "--redis", cluster.url], healthPath: "/healthcheck")
        let health = try await monitor.http.get("/healthcheck")
        #expect(health.status == 200 && health.body == "OK\nredis: primary \(primary) (sentinel master \(SentinelCluster.masterName))\n", "\(health.body)")
        try await Eventually.wait("the worker's heartbeat names the new primary") {
            try await monitor.http.get("/worker/\(worker.name)").body.contains(primary)
        }
        let greeter = try await ServiceProcess(program: "greeter", arguments: ["web", "--redis", cluster.url],
                                               environment: ["GREETER_SECRET": String(repeating: "g", count: 40)], healthPath: "/healthz")
        let healthz = try JSONValue(parsing: try await greeter.http.get("/healthz").body)
        #expect(healthz["redis_role"] == "primary" && healthz["redis_address"]?.stringValue == primary
                && healthz["redis_sentinel_master"]?.stringValue == SentinelCluster.masterName, "\(healthz)")
    }
}
