import Foundation

/// Real clients, run as the people who use Petal run them: curl for raw HTTP (HEAD, a Host of its
/// own, chunked bodies) and Python's `requests` for the encodings a script sends (spaces as `+`).
/// Each runs as a process on a thread of its own, off the cooperative pool the server needs.
public enum RealClient {
    public struct Reply: Sendable {
        public let status: Int
        /// Header lines of the (last) answer, lower-cased names.
        public let headers: [String: String]
        public let body: String
        public let exitCode: Int32
    }

    /// `curl -s -i <arguments>`: the status, headers and body of the last answer.
    public static func curl(_ arguments: [String], timeout: Double = 30) async throws -> Reply {
        let (code, output, error) = try await run("/usr/bin/curl", ["-s", "-S", "-i", "--max-time", String(Int(timeout))] + arguments)
        // -i prints every answer (a 100 Continue first, say); the last one counts.
        let blocks = output.components(separatedBy: "\r\n\r\n")
        var status = 0, headers: [String: String] = [:], bodyStart = 0
        for (index, block) in blocks.enumerated() where block.hasPrefix("HTTP/") {
            let lines = block.components(separatedBy: "\r\n")
            status = lines[0].split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headers = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            bodyStart = index + 1
        }
        if status == 0 && code != 0 { throw TestSupportError("curl \(arguments.joined(separator: " ")): exit \(code): \(error)") }
        return Reply(status: status, headers: headers, body: blocks.dropFirst(bodyStart).joined(separator: "\r\n\r\n"), exitCode: code)
    }

    /// Runs a Python script with Debian's python3 (and its python3-requests); returns stdout.
    public static func python(_ script: String, arguments: [String] = []) async throws -> String {
        let (code, output, error) = try await run("/usr/bin/python3", ["-c", script] + arguments)
        guard code == 0 else { throw TestSupportError("python3 failed (\(code)): \(error.suffix(2000))") }
        return output
    }

    public static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    // stderr to a file and stdout through a pipe read to its end: neither can fill up and stall the child.
                    let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("real-client-\(UUID().uuidString)").path
                    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
                    defer { try? FileManager.default.removeItem(atPath: errorPath) }
                    let out = Pipe()
                    process.standardOutput = out
                    process.standardError = FileHandle(forWritingAtPath: errorPath)
                    process.standardInput = FileHandle.nullDevice
                    try process.run()
                    let output = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    let error = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
                    return (process.terminationStatus, String(decoding: output, as: UTF8.self), error)
                })
            }.start()
        }
    }
}
