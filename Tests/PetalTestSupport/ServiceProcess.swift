import Foundation
import PetalSystem

/// A long-running program of the package (`petal monitor`, `greeter web`) started by a test on a
/// free port, its output in a log file, stopped by pid when the test is done.
public final class ServiceProcess: Sendable {
    public let port: Int
    public let logPath: String
    private let process: ChildProcess

    /// Starts `program arguments… --port <free port>` and waits until `healthPath` answers anything.
    public init(program: String, arguments: [String], environment extra: [String: String] = [:], healthPath: String) async throws {
        port = try FreePort.find()
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("petal-\(program)-\(port).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = open(logPath, O_WRONLY | O_APPEND)
        defer { close(log) }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        process = try ChildProcess.spawn(executable: try PetalBinary.path(program), arguments: arguments + ["--port", String(port)],
                                         environment: environment, descriptors: [1: log, 2: log])
        let http = self.http
        let process = self.process
        try await Eventually.wait("\(program) listening (log: \(logPath))", timeout: 30) {
            if process.poll() != nil { throw TestSupportError("\(program) exited: \((try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? "")") }
            return (try? await http.get(healthPath)) != nil
        }
    }

    public var http: HTTPTestClient { HTTPTestClient(base: "http://127.0.0.1:\(port)") }
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        _ = process.stop(grace: 5)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
