import Foundation

/// The environment the runner gives its processes: .env files, then the runner's own environment,
/// which wins (a variable set when starting `petal start` is never overridden by a file).
public enum RunnerEnvironment {
    /// `files` is the comma-separated `-e` value; the default `.env` may be missing, a named file may not.
    public static func load(files: String?, base: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: String] {
        var merged: [String: String] = [:]
        let names = (files ?? ".env").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        for name in names {
            guard let text = try? String(contentsOfFile: name, encoding: .utf8) else {
                if files == nil { continue }
                throw RunnerError.invalidFile(file: name, line: 0, reason: "cannot read the file")
            }
            for (key, value) in try EnvFile.parse(text, file: name) { merged[key] = value }
        }
        for (key, value) in base { merged[key] = value }
        return merged
    }

    public static func procfile(at path: String) throws -> Procfile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RunnerError.invalidFile(file: path, line: 0, reason: "cannot read the file")
        }
        return try Procfile(parsing: text, file: path)
    }
}
