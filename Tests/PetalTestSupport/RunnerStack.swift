import Foundation
import PetalRunner
import PetalSystem

/// A folder with a Procfile; `petal start` runs from it and its output goes to a file.
public final class RunnerStack {
    public let directory: String
    public let process: ChildProcess
    public var socket: String { directory + "/runner.sock" }
    public var outputPath: String { directory + "/output.log" }

    public init(procfile: String, arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-stack-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try procfile.write(toFile: directory + "/Procfile", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: directory + "/output.log", contents: nil)
        let log = open(directory + "/output.log", O_WRONLY | O_APPEND)
        defer { close(log) }
        process = try ChildProcess.spawn(executable: try PetalBinary.path(),
                                         arguments: ["start", "-f", directory + "/Procfile", "--socket", directory + "/runner.sock"] + arguments,
                                         environment: ProcessInfo.processInfo.environment, descriptors: [1: log, 2: log])
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    public func request(_ line: String) throws -> String { try UnixSocket.request(line, path: socket) }

    /// pids of the running instances, from `ps`.
    public func pids() throws -> [Int32] {
        let answer = try request("ps")
        let object = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        let rows = ((object?["ok"] as? [String: Any])?["processes"] as? [[String: Any]]) ?? []
        return rows.compactMap { ($0["pid"] as? Int).map(Int32.init) }
    }

    public func waitForSocket() async throws {
        try await Eventually.wait("runner socket") { (try? self.request("ps")) != nil }
    }

    deinit {
        if process.poll() == nil { process.stop(grace: 15) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
