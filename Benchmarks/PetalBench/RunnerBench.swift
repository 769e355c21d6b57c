import Foundation
import PetalSystem

/// `petal start` against honcho with the same Procfiles: start-up, shutdown and output throughput.
struct RunnerBench {
    let petalPath: String
    let directory: String

    init(petalPath: String) throws {
        self.petalPath = petalPath
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-runner-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    static func honchoPath() -> String? {
        for path in ["/usr/local/bin/honcho", "/usr/bin/honcho", NSHomeDirectory() + "/.local/bin/honcho", "/root/.pyenv/shims/honcho"]
        where FileManager.default.isExecutableFile(atPath: path) { return path }
        return nil
    }

    private func write(_ procfile: String) throws -> String {
        let path = directory + "/Procfile"
        try procfile.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func launch(_ runner: String, procfile: String, output: Int32) throws -> ChildProcess {
        let arguments = runner == petalPath
            ? ["start", "-f", procfile, "--socket", directory + "/runner.sock"]
            : ["start", "-f", procfile, "-d", directory]
        return try ChildProcess.spawn(executable: runner, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                      descriptors: [1: output, 2: output])
    }

    /// Seconds from launch until three `sleep`s run, and from SIGINT until they and the runner are gone (medians of 5).
    func startAndStop(_ runner: String) throws -> (start: Double, stop: Double) {
        var starts: [Double] = []
        var stops: [Double] = []
        let procfile = try write(["a", "b", "c"].map { "\($0): echo $$ > \(directory)/\($0).tmp && mv \(directory)/\($0).tmp \(directory)/\($0).pid && exec sleep 60" }
            .joined(separator: "\n") + "\n")
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        for _ in 0..<5 {
            for name in ["a", "b", "c"] { unlink("\(directory)/\(name).pid") }
            let began = Date()
            let process = try launch(runner, procfile: procfile, output: devNull)
            var pids: [Int32] = []
            while pids.count < 3 {
                pids = ["a", "b", "c"].compactMap { try? String(contentsOfFile: "\(directory)/\($0).pid", encoding: .utf8) }
                    .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                if Date().timeIntervalSince(began) > 30 { throw SystemError("\(runner) did not start its processes") }
                usleep(1000)
            }
            starts.append(Date().timeIntervalSince(began))
            let stopping = Date()
            process.signal(SIGINT)
            var exited = false
            while !exited || pids.contains(where: { kill($0, 0) == 0 }) {
                if !exited, process.poll() != nil { exited = true }
                if Date().timeIntervalSince(stopping) > 30 { break }
                usleep(1000)
            }
            stops.append(Date().timeIntervalSince(stopping))
        }
        return (starts.sorted()[2], stops.sorted()[2])
    }

    /// Lines per second forwarded from one process printing as fast as it can (output to /dev/null).
    func linesPerSecond(_ runner: String, lines: Int) throws -> Double {
        let procfile = try write("spew: yes 'a short line of output' | head -n \(lines)\n")
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let began = Date()
        let process = try launch(runner, procfile: procfile, output: devNull)
        _ = process.wait()
        return Double(lines) / Date().timeIntervalSince(began)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
