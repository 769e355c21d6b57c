import Foundation
import PetalSystem

/// A temporary project folder (Procfile, .env, scripts) in which `petal` runs as a user would run
/// it: from that folder, by name, with stdout and stderr captured apart. The folder goes with it.
public final class ProjectFolder {
    public let path: String

    public init(_ files: [String: String]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("petal-project-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, content) in files {
            let file = path + "/" + name
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }

    /// Runs `petal ARGUMENTS` in the folder with this process's environment (less what would leak
    /// a caller's runner or project into it) plus `environment`; waits up to `timeout` seconds.
    public func petal(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> (code: Int32, output: String, error: String) {
        var base = ProcessInfo.processInfo.environment
        for name in ["PETAL_RUNNER_SOCKET", "PORT", "PROCFILE", "PS"] { base[name] = nil }
        base.merge(environment) { $1 }
        let outPath = path + "/.stdout", errPath = path + "/.stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = open(outPath, O_WRONLY | O_TRUNC), err = open(errPath, O_WRONLY | O_TRUNC), input = open("/dev/null", O_RDONLY)
        // sh changes to the folder and execs petal in its place, so the pid waited for is petal's.
        let process = try ChildProcess.spawn(executable: "/bin/sh", arguments: ["-c", "cd \"$0\" && exec \"$@\"", path, try PetalBinary.path()] + arguments,
                                             environment: base, descriptors: [0: input, 1: out, 2: err])
        close(out)
        close(err)
        close(input)
        guard let termination = process.wait(upTo: timeout) else {
            process.stop(grace: 1)
            throw TestSupportError("petal \(arguments.joined(separator: " ")) did not finish in \(timeout)s")
        }
        let code: Int32 = switch termination {
        case .exited(let value): value
        case .signaled(let signal): 128 + signal
        }
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        return (code, file(".stdout") ?? "", file(".stderr") ?? "")
    }
}

extension String {
    /// Whether `petal start`'s output has a line `HH:MM:SS name   | text` (names are padded).
    public func hasLine(from name: String, saying text: String) -> Bool {
        split(separator: "\n").contains { line in
            guard let bar = line.range(of: " | ") else { return false }
            return line[..<bar.lowerBound].split(separator: " ").last == Substring(name) && line[bar.upperBound...] == Substring(text)
        }
    }
}
