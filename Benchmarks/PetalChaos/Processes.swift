import Foundation
import PetalSystem

/// The processes a chaos run starts: one redis-server and the `petal worker`s. This program is
/// their subreaper, so it reaps everything with `waitpid(-1)`, including the children of workers it
/// killed with -9 (otherwise they would stay zombies under a PID 1 that reaps nothing).
final class Processes {
    let petal: String
    let directory: String
    let port: Int
    private(set) var redis: Int32?
    private(set) var workers: [Int32] = []
    private var started: Set<Int32> = []

    init(petal: String, directory: String, port: Int) {
        self.petal = petal
        self.directory = directory
        self.port = port
        Subreaper.become()
    }

    var redisURL: String { "redis://127.0.0.1:\(port)" }

    /// redis-server with an append-only file, so a restart keeps every job.
    func startRedis() throws {
        let log = open(directory + "/redis.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        defer { close(log) }
        let process = try ChildProcess.spawn(
            executable: "/usr/bin/redis-server",
            arguments: ["--port", String(port), "--bind", "127.0.0.1", "--dir", directory, "--appendonly", "yes",
                        "--save", "", "--daemonize", "no", "--loglevel", "warning"],
            environment: ProcessInfo.processInfo.environment, descriptors: [1: log, 2: log])
        redis = process.pid
        started.insert(process.pid)
    }

    /// SIGTERM (the append-only file is flushed) and wait for it to exit.
    func stopRedis() {
        guard let pid = redis else { return }
        kill(pid, SIGTERM)
        waitFor(pid, upTo: 20)
        redis = nil
    }

    /// A `petal worker` with its default name (petal-<pid>@<host>) and settings.
    func startWorker() throws {
        let log = open(directory + "/workers.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        defer { close(log) }
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = "info"
        let process = try ChildProcess.spawn(executable: petal, arguments: ["worker", "--redis", redisURL],
                                             environment: environment, descriptors: [1: log, 2: log], newProcessGroup: true)
        workers.append(process.pid)
        started.insert(process.pid)
    }

    /// kill -9 of a worker's supervisor and every child process, as a machine crash would.
    func killWorker(_ pid: Int32) {
        for child in Self.children(of: pid) { kill(child, SIGKILL) }
        kill(pid, SIGKILL)
        workers.removeAll { $0 == pid }
    }

    /// A worker's child processes, from /proc (independent of what Redis says).
    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    /// Reaps whatever ended; a worker that exited by itself is forgotten (the caller restarts it).
    func reap() {
        for (pid, _) in Subreaper.reapEnded() {
            workers.removeAll { $0 == pid }
            if pid == redis { redis = nil }
        }
    }

    private func waitFor(_ pid: Int32, upTo seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if Subreaper.reapEnded().contains(where: { $0.pid == pid }) { return }
            if kill(pid, 0) != 0 { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        usleep(100_000)
        _ = Subreaper.reapEnded()
    }

    /// Warm shutdown of the workers, then Redis; anything left of ours is killed and reaped.
    func stopAll() {
        for pid in workers { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(40)
        while !workers.isEmpty && Date() < deadline {
            reap()
            usleep(50_000)
        }
        for pid in workers { killWorker(pid) }
        stopRedis()
        // Orphans that came to us (children of killed workers) exit when their pipes close.
        let last = Date().addingTimeInterval(10)
        while Date() < last {
            _ = Subreaper.reapEnded()
            let left = Self.children(of: getpid())
            if left.isEmpty { break }
            if Date() > last.addingTimeInterval(-5) { left.forEach { kill($0, SIGKILL) } }
            usleep(50_000)
        }
    }
}
