import Foundation
import Petal
import PetalRedis
import PetalSystem

/// One chaos run, start to report.
struct ChaosRun {
    let petal: String
    let jobs: Int
    let workerCount = 2

    /// The job mix: mostly instant tasks, some short sleeps, a few that fail on purpose.
    static func request(_ index: Int) -> EnqueueRequest {
        let id = "chaos-\(index)"
        switch index % 20 {
        case 0, 1: return EnqueueRequest(task: "sleep", args: [.number(Double(index % 7 + 1) * 0.03)], id: id)
        case 2: return EnqueueRequest(task: "fail", args: ["chaos: this job fails on purpose"], id: id)
        case 3: return EnqueueRequest(task: "hello", args: [.string("job \(index)")], id: id)
        case 4, 5, 6, 7: return EnqueueRequest(task: "noop", id: id)
        default: return EnqueueRequest(task: "add", args: [.number(Double(index)), 1], id: id)
        }
    }

    func run() async -> Int32 {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-chaos-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let processes = Processes(petal: petal, directory: directory, port: Self.freePort())
        var removeDirectory = false
        defer {
            // After the processes stop: they write there until then.
            processes.stopAll()
            if removeDirectory { try? FileManager.default.removeItem(atPath: directory) }
        }
        let redis = RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: processes.port)), poolSize: 4)
        let client = PetalClient(redis: redis)
        do {
            try processes.startRedis()
            guard await Self.waitForRedis(client) else { print("redis-server did not start; see \(directory)/redis.log"); return 2 }
            for _ in 0..<workerCount { try processes.startWorker() }
        } catch {
            print("cannot start: \(error)")
            return 2
        }
        let tally = EventTally()
        let follower = EventTally.follow(tally, client: client)
        defer { follower.cancel() }
        log("redis on port \(processes.port), \(workerCount) workers, \(jobs) jobs; logs in \(directory)")

        let began = Date()
        let ids = (0..<jobs).map { "chaos-\($0)" }
        // Submitted in batches while the chaos goes on; a batch that meets the outage is sent
        // again with the same ids, which the enqueue script makes safe.
        let submitter = Task {
            var index = 0
            while index < jobs {
                let batch = (index..<min(index + 1000, jobs)).map(Self.request)
                do {
                    _ = try await client.enqueue(many: batch)
                    index += batch.count
                    try? await Task.sleep(for: .milliseconds(500))
                } catch {
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
        }

        var counts = ChaosCounts()
        var rng = SystemRandomNumberGenerator()
        let restartAt = Double.random(in: 10...25, using: &rng)
        var redisDownUntil: Date?
        var nextKill = Date().addingTimeInterval(.random(in: 2...4, using: &rng))
        // The chaos lasts until 90 % of the jobs have ended (at least past the Redis restart).
        while true {
            processes.reap()
            let elapsed = Date().timeIntervalSince(began)
            if counts.redisRestarts == 0 && redisDownUntil == nil && elapsed >= restartAt {
                let down = Double.random(in: 5...10, using: &rng)
                log("stopping redis-server for \(String(format: "%.1f", down)) s")
                processes.stopRedis()
                redisDownUntil = Date().addingTimeInterval(down)
                counts.redisDownSeconds = down
            }
            if let until = redisDownUntil, Date() >= until {
                do { try processes.startRedis() } catch { log("cannot restart redis-server: \(error)") }
                redisDownUntil = nil
                counts.redisRestarts += 1
                log("redis-server started again")
            }
            while processes.workers.count < workerCount {
                do { try processes.startWorker() } catch { log("cannot start a worker: \(error)"); break }
            }
            if Date() >= nextKill {
                nextKill = Date().addingTimeInterval(.random(in: 2...4, using: &rng))
                if let worker = processes.workers.randomElement(using: &rng) {
                    if Bool.random(using: &rng), let child = Processes.children(of: worker).randomElement(using: &rng) {
                        kill(child, SIGKILL)
                        counts.children += 1
                    } else {
                        processes.killWorker(worker)
                        counts.workers += 1
                        do { try processes.startWorker() } catch { log("cannot start a worker: \(error)") }
                    }
                }
            }
            let ended = await tally.finals.count
            if counts.redisRestarts > 0, ended >= jobs * 9 / 10 || elapsed > 600 { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        log("chaos over after \(String(format: "%.0f", Date().timeIntervalSince(began))) s: waiting for every job to end")
        _ = await submitter.value

        // Every job should end now; give up after two minutes without progress.
        var lastEnded = -1
        var lastProgress = Date()
        while true {
            processes.reap()
            while processes.workers.count < workerCount { try? processes.startWorker() }
            let ended = await tally.finals.count
            if ended >= jobs { break }
            if ended != lastEnded { lastEnded = ended; lastProgress = Date() }
            if Date().timeIntervalSince(lastProgress) > 120 { log("no job ended for 120 s: taking the census now"); break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        // A little longer, so a job completed twice would have time to show it.
        try? await Task.sleep(for: .seconds(3))

        do {
            let census = try await Census.take(ids: ids, client: client, redis: redis, tally: tally)
            print(census.report(seconds: Date().timeIntervalSince(began), kills: counts, eventsRead: await tally.read))
            let clean = census.lost.isEmpty && census.stuck.isEmpty && census.completedTwice.isEmpty
            // The logs are kept when something went wrong, to find out what.
            if clean { removeDirectory = true } else { print("logs and Redis data kept in \(directory)") }
            return clean ? 0 : 1
        } catch {
            print("cannot take the census: \(error)")
            return 2
        }
    }

    private func log(_ message: String) {
        print("[chaos] \(message)")
        fflush(nil)
    }

    private static func waitForRedis(_ client: PetalClient) async -> Bool {
        for _ in 0..<200 {
            if (try? await client.ping()) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        return port == 6379 ? freePort() : port
    }
}
