import Foundation
import Petal
import PetalRedis
import PetalSystem
import Synchronization

/// A real `petal worker` started by a test, with its log in a file, stopped by pid.
public final class WorkerProcess: Sendable {
    public let name: String
    public let logPath: String
    private let process: ChildProcess
    /// How it ended, once reaped: from then on its pid (and group id) may belong to another
    /// process (this machine's pid_max is 32768, and a full test run wraps it), so nothing is
    /// signalled by that number again.
    private let ended = Mutex<Termination?>(nil)

    /// Starts `petal worker` against `redis` and waits until its heartbeat is in Redis. A nil
    /// `name` starts it without --name, as users do, so it is called `petal-<pid>@<host>`.
    /// `keyPrefix` is where to look for its heartbeat (give the prefix through `environment` or
    /// `extraArguments` as the test means to). `redisURL` replaces the server's plaintext URL
    /// (rediss://, an ACL user); the test still watches through its own plaintext client.
    public convenience init(redis: RedisServer, program: String = "petal", name: String? = "w-\(UUID().uuidString.prefix(8))", concurrency: Int = 2,
                            queues: [String]? = nil, extraArguments: [String] = [], heartbeatInterval: Double = 0.5,
                            environment extraEnvironment: [String: String] = [:], keyPrefix: String = "petal", redisURL: String? = nil) async throws {
        try await self.init(watching: redis.petalClient(poolSize: 1, keys: Keys(prefix: keyPrefix)), redisURL: redisURL ?? redis.url,
                            program: program, name: name, concurrency: concurrency, queues: queues, extraArguments: extraArguments,
                            heartbeatInterval: heartbeatInterval, environment: extraEnvironment)
    }

    /// Starts a worker on `redisURL`, watched through `client` (a Redis the test reaches its own way:
    /// Sentinel's current primary, a server in another network namespace). `launcher` runs the
    /// worker through another program (`ip netns exec <namespace>`), which execs it.
    public init(watching client: PetalClient, redisURL: String, program: String = "petal", name: String? = "w-\(UUID().uuidString.prefix(8))",
                concurrency: Int = 2, queues: [String]? = nil, extraArguments: [String] = [], heartbeatInterval: Double = 0.5,
                environment extraEnvironment: [String: String] = [:], launcher: [String] = []) async throws {
        let logName = name ?? "default-\(UUID().uuidString.prefix(8))"
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("petal-worker-\(logName).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = open(logPath, O_WRONLY | O_APPEND)
        defer { close(log) }
        var environment = ProcessInfo.processInfo.environment
        environment["PETAL_LOG_LEVEL"] = ProcessInfo.processInfo.environment["PETAL_TEST_LOG_LEVEL"] ?? "debug"
        environment.merge(extraEnvironment) { $1 }
        let command = [try PetalBinary.path(program), "worker", "--redis", redisURL] + (name.map { ["--name", $0] } ?? [])
            + ["--concurrency", String(concurrency), "--heartbeat-interval", String(heartbeatInterval), "--shutdown-timeout", "10"]
            + (queues.map { ["--queues", $0.joined(separator: ",")] } ?? []) + extraArguments
        let invocation = launcher + command
        process = try ChildProcess.spawn(executable: invocation[0], arguments: Array(invocation.dropFirst()),
                                         environment: environment, descriptors: [1: log, 2: log], newProcessGroup: true)
        let name = name ?? "petal-\(process.pid)@\(ProcessInfo.processInfo.hostName)"
        self.name = name
        try await Eventually.wait("worker \(name) online", timeout: 20) {
            try await client.worker(name)?.online == true
        }
    }

    public var pid: Int32 { process.pid }

    /// SIGTERM (warm shutdown) and wait; SIGKILL to the group if it lingers.
    @discardableResult
    public func stop(grace: Double = 20) -> Termination {
        if let termination = ended.withLock({ $0 }) { return termination }
        let termination = process.stop(grace: grace)
        Glibc.kill(-process.pid, SIGKILL)  // any child left in its process group (the group outlives its leader)
        ended.withLock { $0 = termination }
        return termination
    }

    public func signal(_ signal: Int32) {
        if ended.withLock({ $0 }) == nil { process.signal(signal) }
    }

    /// kill -9 of the supervisor and every process of its group, as a machine crash would.
    public func killHard() {
        guard ended.withLock({ $0 }) == nil else { return }
        Glibc.kill(-process.pid, SIGKILL)
        let termination = process.wait()
        ended.withLock { $0 = termination }
    }

    /// Waits for the process to exit by itself.
    public func waitForExit(timeout: Double) -> Termination? {
        if let termination = ended.withLock({ $0 }) { return termination }
        let termination = process.wait(upTo: timeout)
        if let termination {
            Glibc.kill(-process.pid, SIGKILL)  // children left in its group, before its number can be reused
            ended.withLock { $0 = termination }
        }
        return termination
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// How many times each job was started, from the children's debug lines ("job <id> started,
    /// delivery <n>"): a job delivered twice (given back before it began) ran once.
    public var runsByJob: [String: Int] {
        var runs: [String: Int] = [:]
        for line in log.split(separator: "\n") {
            guard let marker = line.range(of: " started, delivery "), let start = line.range(of: "job ", options: .backwards, range: line.startIndex..<marker.lowerBound) else { continue }
            runs[String(line[start.upperBound..<marker.lowerBound]), default: 0] += 1
        }
        return runs
    }

    deinit {
        if ended.withLock({ $0 }) == nil, process.poll() == nil {
            Glibc.kill(-process.pid, SIGKILL)
            _ = process.wait()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}

/// Where this package's executables are: PETAL_BIN for `petal`, or .build/debug/<name>.
public enum PetalBinary {
    /// The package's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func path(_ program: String = "petal") throws -> String {
        if program == "petal", let path = ProcessInfo.processInfo.environment["PETAL_BIN"] { return path }
        for configuration in ["debug", "release"] {
            let candidate = root.appendingPathComponent(".build/\(configuration)/\(program)").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestSupportError("\(program) binary not found: run `swift build` first")
    }

    /// `run` on a thread of its own: waiting for the process never holds one of the cooperative
    /// pool's two threads, which the servers other suites run in-process need.
    public static func runOffThePool(_ arguments: [String], program: String = "petal",
                                     environment: [String: String] = [:]) async throws -> (code: Int32, output: String, error: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try run(arguments, program: program, environment: environment) }) }.start()
        }
    }

    /// Runs `petal` (or another of the package's executables) with arguments and this process's
    /// environment plus `environment`; returns exit code, stdout and stderr.
    public static func run(_ arguments: [String], program: String = "petal",
                           environment: [String: String] = [:]) throws -> (code: Int32, output: String, error: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out").path, errPath = directory.appendingPathComponent("err").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = open(outPath, O_WRONLY), err = open(errPath, O_WRONLY)
        let process = try ChildProcess.spawn(executable: try path(program), arguments: arguments,
                                             environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, descriptors: [1: out, 2: err])
        close(out)
        close(err)
        guard let termination = process.wait(upTo: 60) else {
            process.stop(grace: 1)
            throw TestSupportError("petal \(arguments.joined(separator: " ")) did not finish")
        }
        let code: Int32 = if case .exited(let value) = termination { value } else { -1 }
        return (code, (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "", (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

/// Polls a condition until it holds or the timeout passes (tests never assert timings).
public enum Eventually {
    public static func wait(_ what: String, timeout: Double = 15, interval: Double = 0.05,
                            _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .seconds(interval))
        }
        if try await condition() { return }
        throw TestSupportError("timed out after \(timeout)s waiting for \(what)")
    }

    /// Waits for a job to reach `state` (or any final state when nil) and returns its record.
    @discardableResult
    public static func job(_ client: PetalClient, _ id: String, state: JobState? = nil, timeout: Double = 20) async throws -> JobRecord {
        var last: JobRecord?
        do {
            try await wait("job \(id) to be \(state?.rawValue ?? "finished")", timeout: timeout) {
                last = try await client.job(id)
                guard let record = last else { return false }
                return state.map { record.state == $0 } ?? record.state.isFinal
            }
        } catch {
            throw TestSupportError("\(error); last seen: \(last.map { "\($0.state.rawValue) \($0.exception ?? "")" } ?? "no record")")
        }
        return last!
    }
}
