import Foundation
import PetalSystem

/// What one timed run did: `jobs` in `seconds`; for a drain, also when the first job had run.
struct PeerRun: Sendable {
    let jobs: Int
    let seconds: Double
    var first: Double?

    /// The line a peer's program prints: `result jobs=N seconds=S [first=F]`.
    init?(line: Substring) {
        guard line.hasPrefix("result ") else { return nil }
        var fields: [Substring: Double] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Double(parts[1]) { fields[parts[0]] = value }
        }
        guard let jobs = fields["jobs"], let seconds = fields["seconds"], seconds > 0 else { return nil }
        self.init(jobs: Int(jobs), seconds: seconds, first: fields["first"])
    }

    init(jobs: Int, seconds: Double, first: Double? = nil) {
        self.jobs = jobs
        self.seconds = seconds
        self.first = first
    }
}

/// A peer's program in Benchmarks/peers/, run as a process of its own:
/// `<interpreter> <script> REDIS_URL MODE [ARGUMENTS…]`. Its stdout and stderr go to files, so
/// neither can fill a pipe; its process group is killed when it is done or out of time.
struct PeerProgram: Sendable {
    let interpreter: String
    let script: String
    var environment: [String: String] = ProcessInfo.processInfo.environment

    /// The program's `version` line (e.g. "Sidekiq 6.4.1 (Ruby 3.1.2 + YJIT)"), or why it cannot run.
    func version(redisURL: String) async -> Result<String, BenchError> {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else { return .failure(BenchError("no \(interpreter)")) }
        guard FileManager.default.fileExists(atPath: script) else { return .failure(BenchError("no \(script)")) }
        do {
            let output = try await run(redisURL: redisURL, ["version"], timeout: 60)
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("version ") }) else {
                return .failure(BenchError("\(script) printed no version"))
            }
            return .success(String(line.dropFirst("version ".count)))
        } catch let error as BenchError {
            return .failure(error)
        } catch {
            return .failure(BenchError("\(error)"))
        }
    }

    /// A timed run: its result line.
    func measure(redisURL: String, _ arguments: [String], timeout: Double = 900) async throws -> PeerRun {
        let output = try await run(redisURL: redisURL, arguments, timeout: timeout)
        guard let run = output.split(separator: "\n").lazy.compactMap(PeerRun.init(line:)).first else {
            throw BenchError("\(URL(fileURLWithPath: script).lastPathComponent) \(arguments.joined(separator: " ")) printed no result line")
        }
        return run
    }

    /// Runs the program to its end; its stdout, or an error quoting the end of its stderr.
    private func run(redisURL: String, _ arguments: [String], timeout: Double) async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("petal-peer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (outPath, errPath) = (folder + "/out", folder + "/err")
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600), err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let process: ChildProcess
        do {
            defer { close(out); close(err) }
            process = try ChildProcess.spawn(executable: interpreter, arguments: [script, redisURL] + arguments,
                                             environment: environment, descriptors: [1: out, 2: err], newProcessGroup: true)
        }
        let termination = try await onThread { process.wait(upTo: timeout) }
        kill(-process.pid, SIGKILL)  // anything of its group left behind (a pool's child)
        if termination == nil { _ = process.stop(grace: 0) }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard termination == .exited(0) else {
            let errors = ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
                .split(separator: "\n").suffix(3).joined(separator: " | ")
            let ending = termination.map { "\($0)" } ?? "still running after \(Int(timeout)) s"
            throw BenchError("\(URL(fileURLWithPath: script).lastPathComponent) \(arguments.joined(separator: " ")) \(ending): \(errors.prefix(400))")
        }
        return output
    }
}
