import Foundation
import Petal
import PetalHarness
import PetalRedis
import PetalSystem

/// The monitor under wrk with a big history: 1,000,000 jobs, 200 workers with fresh heartbeats and
/// 50 queues written straight into Redis (by a Lua loop, in the protocol's key layout), then
/// `wrk -t2 -c10 -d10s` per page and API call, and the monitor's RSS before and after.
struct MonitorBench {
    let petalPath: String
    let redisURL: String
    let client: PetalClient
    /// The bench's Redis, for writing the history in the protocol's layout straight into it.
    let redis: RedisClient
    var jobs = 1_000_000
    let workers = 200
    let queues = 50
    let tasks = 20

    /// Creates `count` finished jobs per call, spread over the last 30 days.
    static let seed = #"""
local P, first, count, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local workers, queues, tasks = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
for i = first, first + count - 1 do
  local id = string.format('bench-%08d', i)
  local task = 'bench.task_' .. (i % tasks)
  local queue = 'queue-' .. (i % queues)
  local worker = string.format('bench-worker-%03d', i % workers)
  local sent = now - 2592000 + i * (2592000 / 1000000)
  local state = (i % 7 == 0) and 'FAILURE' or 'SUCCESS'
  local ended = sent + 0.05
  local key = P .. ':job:' .. id
  redis.call('HSET', key, 'task', task, 'queue', queue, 'args', '[' .. i .. ',"x"]', 'kwargs', '{}',
    'state', state, 'sent', sent, 'started', sent + 0.001, 'worker', worker, 'pid', '4242',
    'deliveries', '1', 'runtime', '0.049')
  if state == 'SUCCESS' then redis.call('HSET', key, 'succeeded', ended, 'result', tostring(i))
  else redis.call('HSET', key, 'failed', ended, 'exception', 'ValueError: bench failure ' .. i, 'traceback', 'bench') end
  redis.call('ZADD', P .. ':jobs', sent, id)
  redis.call('ZADD', P .. ':jobs:state:' .. state, sent, id)
  redis.call('ZADD', P .. ':jobs:task:' .. task, sent, id)
  redis.call('ZADD', P .. ':jobs:queue:' .. queue, sent, id)
  redis.call('ZADD', P .. ':jobs:worker:' .. worker, sent, id)
end
return count
"""#

    func run() async throws -> String {
        var report: [String] = []
        let started = Clock.now()
        try await seedHistory()
        report.append(String(format: "monitor: %d jobs, %d workers, %d queues written in %.0f s", jobs, workers, queues, Clock.now() - started))
        let port = try FreePort.find()
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = "warning"
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let monitor = try ChildProcess.spawn(executable: petalPath, arguments: ["monitor", "--redis", redisURL, "--port", String(port)],
                                             environment: environment, descriptors: [1: devNull, 2: devNull])
        defer { monitor.stop(grace: 5) }
        for _ in 0..<200 where !LoopbackSocket.isListening(port: port) { try await Task.sleep(for: .milliseconds(50)) }
        let heartbeats = Task { while !Task.isCancelled { try await writeHeartbeats(); try await Task.sleep(for: .seconds(2)) } }
        defer { heartbeats.cancel() }
        let rssBefore = SystemStats.rss(pid: monitor.pid)
        let paths = ["/", "/tasks", "/tasks?state=FAILURE&taskname=bench.task_3", "/task/bench-00500000",
                     "/api/tasks?limit=100", "/api/workers"]
        // Steady state is measured: one second of load on each URL first (a fresh process still
        // instantiates generic metadata and fills its caches on its first requests).
        for path in paths { _ = try WrkRun(url: "http://127.0.0.1:\(port)\(path)", connections: 10, seconds: 1).run() }
        // wrk's default two threads, then one: on two cores the load generator's second thread takes
        // CPU from the server it measures.
        for threads in [2, 1] {
            report.append("  wrk -t\(threads) -c10 -d10s:")
            for path in paths {
                let run = WrkRun(url: "http://127.0.0.1:\(port)\(path)", connections: 10, seconds: 10, threads: threads)
                report.append("    GET \(path): " + (try run.run()))
            }
        }
        // Beyond the issue's list: a page deep in the history, and pages whose rows were never
        // shown before (a random offset per request, so no rendered row is reused).
        report.append("  wrk -t1 -c10 -d10s, deep and unseen pages:")
        let deep = WrkRun(url: "http://127.0.0.1:\(port)/tasks?offset=900000", connections: 10, seconds: 10, threads: 1)
        report.append("    GET /tasks?offset=900000: " + (try deep.run()))
        let randomPages = NSTemporaryDirectory() + "petal-bench-random-pages.lua"
        try #"request = function() return wrk.format(nil, "/tasks?offset=" .. math.random(0, 999000)) end"#
            .write(toFile: randomPages, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: randomPages) }
        let unseen = WrkRun(url: "http://127.0.0.1:\(port)/tasks", connections: 10, seconds: 10, threads: 1, script: randomPages)
        report.append("    GET /tasks?offset=<random>: " + (try unseen.run()))
        let rssAfter = SystemStats.rss(pid: monitor.pid)
        report.append(String(format: "  monitor RSS: %.1f MB after start, %.1f MB after the runs", Double(rssBefore) / 1_048_576, Double(rssAfter) / 1_048_576))
        return report.joined(separator: "\n")
    }

    private func seedHistory() async throws {
        let script = RedisScript(name: "bench_seed", source: Self.seed)
        let now = Clock.text(Clock.now())
        let batch = 20_000
        var first = 0
        while first < jobs {
            let count = min(batch, jobs - first)
            _ = try await redis.evaluate(script, arguments: [
                RedisArgument(client.keys.prefix), RedisArgument(first), RedisArgument(count), RedisArgument(now),
                RedisArgument(workers), RedisArgument(queues), RedisArgument(tasks),
            ])
            first += count
        }
        var commands: [[RedisArgument]] = [
            [RedisArgument("SADD"), RedisArgument(client.keys.tasks)] + (0..<tasks).map { RedisArgument("bench.task_\($0)") },
            [RedisArgument("SADD"), RedisArgument(client.keys.queues)] + (0..<queues).map { RedisArgument("queue-\($0)") },
            ["HSET", RedisArgument(client.keys.statsTotal), "succeeded", RedisArgument(jobs * 6 / 7), "failed", RedisArgument(jobs / 7)],
        ]
        for day in 0..<30 {
            let number = Int(Clock.now() / 86_400) - day
            commands.append(["HSET", RedisArgument(client.keys.statsDay(number)), "succeeded", RedisArgument(jobs / 35), "failed", RedisArgument(jobs / 210)])
        }
        for queue in 0..<queues where queue % 5 == 0 {
            commands.append([RedisArgument("LPUSH"), RedisArgument(client.keys.queue("queue-\(queue)"))] + (0..<20).map { RedisArgument("bench-\(String(format: "%08d", queue * 1000 + $0))") })
        }
        _ = try await redis.pipeline(commands)
    }

    /// 200 heartbeats in the worker's format, refreshed while wrk runs so every worker stays online.
    private func writeHeartbeats() async throws {
        let now = Clock.now()
        var commands: [[RedisArgument]] = []
        for index in 0..<workers {
            let name = String(format: "bench-worker-%03d", index)
            let heartbeat = WorkerHeartbeat(
                name: name, hostname: "bench", pid: 4242, queues: ["queue-\(index % self.queues)", "queue-\((index + 1) % self.queues)"],
                concurrency: 4, children: [1, 2, 3, 4], active: [], loadAverage: [0.5, 0.4, 0.3], rssBytes: 50_000_000,
                startedAt: now - 3600, time: now, heartbeatInterval: 2, version: "bench", registered: ["bench.task_0", "bench.task_1"],
                timeLimits: [:], shuttingDown: false)
            commands.append([RedisArgument("HSET"), RedisArgument(client.keys.worker(name))]
                            + heartbeat.fields.flatMap { [RedisArgument($0.0), RedisArgument($0.1)] })
            commands.append(["EXPIRE", RedisArgument(client.keys.worker(name)), "10"])
            commands.append(["ZADD", RedisArgument(client.keys.workers), RedisArgument(Clock.text(now)), RedisArgument(name)])
            commands.append(["HSET", RedisArgument(client.keys.workerStats(name)), "succeeded", "4285", "failed", "714"])
        }
        _ = try await redis.pipeline(commands)
    }
}

/// One wrk run, summarised as requests/s and latency percentiles.
struct WrkRun {
    let url: String
    let connections: Int
    let seconds: Int
    var threads = 2
    /// A wrk Lua script (`-s`), e.g. one that varies the path per request.
    var script: String?

    func run() throws -> String {
        let pipe = try PipeDescriptors()
        let arguments = ["-t", String(threads), "-c", String(connections), "-d", "\(seconds)s", "--latency"]
            + (script.map { ["-s", $0] } ?? []) + [url]
        let wrk = try ChildProcess.spawn(executable: "/usr/bin/wrk", arguments: arguments,
                                         environment: ProcessInfo.processInfo.environment, descriptors: [1: pipe.write, 2: pipe.write])
        close(pipe.write)
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(pipe.read, &chunk, chunk.count)
            if count <= 0 { break }
            output.append(contentsOf: chunk[0..<count])
        }
        close(pipe.read)
        _ = wrk.wait()
        let text = String(decoding: output, as: UTF8.self)
        func line(_ prefix: String) -> String {
            text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map { $0.trimmingCharacters(in: .whitespaces).split(whereSeparator: \.isWhitespace).joined(separator: " ") } ?? "\(prefix) ?"
        }
        let errors = text.contains("Non-2xx") ? line("Non-2xx") : "no errors"
        return "\(line("Requests/sec:")); latency \(line("50%")), \(line("99%")); \(errors)"
    }
}

enum SystemStats {
    /// Resident set size of a process, from /proc.
    static func rss(pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
