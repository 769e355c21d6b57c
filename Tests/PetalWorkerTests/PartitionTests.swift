import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Workers on two hosts and Redis on a third (network namespaces joined by veth links). One
/// worker's link is cut while it runs jobs, for longer than a heartbeat lives: the other worker
/// takes its jobs over; when the link comes back the cut-off worker completes none of them (its
/// results are fenced off), notices it was taken for gone, and rejoins. Counted, not timed; the
/// takeover's duration is printed.
@Suite("Workers on several hosts, and a partition", .serialized)
struct PartitionTests {
    /// Waits for a job to end; when it does not, says who holds it and what both hosts logged
    /// about it (a job left STARTED was seen here under full parallel load).
    static func finished(_ id: String, client: PetalClient, workers: [WorkerProcess]) async throws {
        do {
            try await Eventually.job(client, id, timeout: 120)
        } catch {
            let record = try? await client.job(id)
            let mentions = workers.map { worker in
                "\(worker.name): " + worker.log.split(separator: "\n").filter { $0.contains(id) || $0.contains("warning") || $0.contains("error") }
                    .suffix(30).joined(separator: "\n")
            }
            Issue.record("job \(id) did not end: \(record?.state.rawValue ?? "gone") on \(record?.worker ?? "-") pid \(record?.pid.map(String.init) ?? "-"), deliveries \(record?.deliveries ?? 0)\n\(mentions.joined(separator: "\n---\n"))")
            throw error
        }
    }

    @Test(.enabled(if: NetworkLab.isAvailable, "ip netns is unavailable here (it needs root and iproute2): the partition test is skipped"))
    func aCutOffWorkersJobsAreTakenOverAndItRejoins() async throws {
        let lab = try NetworkLab(hosts: ["a", "b"])
        defer { lab.remove() }
        let server = try RedisServer(launcher: lab.launcher(lab.hub), bind: [lab.hubAddress(0), lab.hubAddress(1)])
        defer { server.stop() }
        let client = server.socketPetalClient(poolSize: 2)
        let redis = RedisClient(configuration: server.socketConfiguration, poolSize: 1)
        // Each worker reaches Redis over its own link; the test watches through Redis's Unix socket.
        let workers = try await [0, 1].asyncMap { index in
            try await WorkerProcess(watching: client, redisURL: "redis://\(lab.hubAddress(index)):\(server.port)", name: "host-\(index == 0 ? "a" : "b")",
                                    concurrency: 2, heartbeatInterval: 0.5, launcher: lab.launcher(lab.hosts[index]))
        }
        defer { for worker in workers { worker.stop() } }
        let (cutOff, survivor) = (workers[0], workers[1])

        // Jobs run on both hosts.
        let first = try await client.enqueue(many: (0..<20).map { _ in EnqueueRequest(task: "sleep", args: [0.2]) })
        for id in first { try await Self.finished(id, client: client, workers: workers) }
        let ranOn = Set(try await client.jobs(first).compactMap { $0?.worker })
        #expect(ranOn == [cutOff.name, survivor.name], "jobs ran on both hosts: \(ranOn)")

        // Cut host a's link while its children run jobs.
        let second = try await client.enqueue(many: (0..<30).map { _ in EnqueueRequest(task: "sleep", args: [0.5]) })
        let inflight = client.keys.inflight(cutOff.name)
        try await Eventually.wait("host a running jobs", timeout: 30, interval: 0.01) {
            (try await redis.command(["LLEN", RedisArgument(inflight)]).int ?? 0) >= 2
        }
        let cutAt = Clock.now()
        try lab.cut(0)
        // Read after the cut: from now on nothing host a does reaches Redis, so these are the jobs it holds.
        let held = (try await redis.command(["LRANGE", RedisArgument(inflight), "0", "-1"]).array ?? []).compactMap(\.string)
        try #require(!held.isEmpty, "host a held jobs when its link was cut")
        // Taken over: each job host a held is started again by host b.
        try await Eventually.wait("host a's jobs taken over by host b", timeout: 90, interval: 0.05) {
            try await client.jobs(held).allSatisfy { $0?.worker == survivor.name && $0?.started ?? 0 > cutAt }
        }
        let takenOver = try await client.jobs(held).compactMap { $0?.started }
        let heartbeatTTL = 3.0  // 0.5 s beats: 3 × 0.5 + 1, rounded up
        try await Task.sleep(for: .seconds(1))
        #expect(Clock.now() - cutAt > heartbeatTTL, "the link stayed down longer than a heartbeat lives")
        try lab.mend(0)
        let mendedAt = Clock.now()

        // Host a comes back: online again, it says it was taken for gone, and it runs jobs again.
        try await Eventually.wait("host a online again", timeout: 60) {
            guard let record = try await client.worker(cutOff.name) else { return false }
            return record.online && (record.lastHeartbeat ?? 0) > mendedAt
        }
        try await Eventually.wait("host a says it was taken for gone", timeout: 30) { cutOff.log.contains("was taken for gone") }
        // Its children retry with backoff: each settles its job when its next attempt gets through.
        try await Eventually.wait("host a's children discarding the results of the jobs handed over", timeout: 30) {
            cutOff.log.components(separatedBy: "was handed to another worker").count - 1 >= held.count
        }
        for id in second { try await Self.finished(id, client: client, workers: workers) }
        let third = try await client.enqueue(many: (0..<20).map { _ in EnqueueRequest(task: "sleep", args: [0.2]) })
        for id in third { try await Self.finished(id, client: client, workers: workers) }
        #expect(try await client.jobs(third).contains { $0?.worker == cutOff.name }, "host a takes jobs again after rejoining")

        // Every job ended once, and those host a held ended by host b's hand, as SUCCESS.
        let all = first + second + third
        for record in try await client.jobs(all) { #expect(record?.state == .success, "\(record?.id ?? "?"): \(record?.state.rawValue ?? "gone")") }
        for record in try await client.jobs(held) {
            #expect(record?.worker == survivor.name, "\(record?.id ?? "?") completed by \(record?.worker ?? "?")")
        }
        let endings = try await Self.finalEvents(redis, keys: client.keys)
        let twice = all.filter { (endings[$0] ?? 0) != 1 }
        #expect(twice.isEmpty, "each job ended exactly once in the event stream: \(twice.map { "\($0): \(endings[$0] ?? 0)" })")
        print(String(format: "[partition] link cut with %d jobs in flight on host a; host b started the first %.2f s and the last %.2f s after the cut; heartbeat lifetime %.0f s",
                     held.count, (takenOver.min() ?? .nan) - cutAt, (takenOver.max() ?? .nan) - cutAt, heartbeatTTL))
    }

    /// Final events (task-succeeded, task-failed, task-revoked) per job id, from the whole stream.
    static func finalEvents(_ redis: RedisClient, keys: Keys) async throws -> [String: Int] {
        let entries = try await redis.command(["XRANGE", RedisArgument(keys.events), "-", "+"]).array ?? []
        var counts: [String: Int] = [:]
        for entry in entries {
            let fields = entry.array?.last?.fieldMap ?? [:]
            guard let type = fields["type"], ["task-succeeded", "task-failed", "task-revoked"].contains(type), let id = fields["id"] else { continue }
            counts[id, default: 0] += 1
        }
        return counts
    }
}

extension Array {
    /// Maps in order, awaiting each.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
