import Foundation

/// The environment the runner gives its processes: its own environment with the .env files laid
/// over it. The files win, as in honcho and foreman: `ANIMAL=giraffe` in .env beats `ANIMAL=lion`
/// in the shell, so a project behaves the same whoever starts it from whatever shell.
public enum RunnerEnvironment {
    /// Reads `files` (comma-separated, relative to `appRoot`), later files winning. Missing files
    /// are skipped as honcho skips them; one named with `-e` (not the default `.env`) gets a warning.
    public static func read(files: String?, appRoot: String = ".") -> (pairs: [(String, String)], warnings: [FileWarning]) {
        var pairs: [(String, String)] = []
        var warnings: [FileWarning] = []
        let names = (files ?? ".env").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        for name in names {
            let path = resolve(name, in: appRoot)
            guard let (text, wellFormed) = readText(path) else {
                if files != nil { warnings.append(FileWarning(file: path, line: 0, reason: "cannot read the file: skipped")) }
                continue
            }
            if !wellFormed { warnings.append(FileWarning(file: path, line: 0, reason: Self.notUTF8)) }
            let parsed = EnvFile.parse(text, file: path)
            pairs += parsed.pairs
            warnings += parsed.warnings
        }
        return (pairs, warnings)
    }

    static let notUTF8 = "not valid UTF-8: the bytes that are not were read as U+FFFD"

    /// A file's text, with bytes that are not UTF-8 read as U+FFFD (and false): one Latin-1 byte
    /// in a comment must not lose the whole file. Nil when it cannot be read (missing, a folder).
    static func readText(_ path: String) -> (String, Bool)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return (text, String(data: data, encoding: .utf8) != nil)
    }

    /// `base` with `pairs` laid over it (the files win).
    public static func merge(_ pairs: [(String, String)], over base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var merged = base
        for (key, value) in pairs { merged[key] = value }
        return merged
    }

    /// A path as honcho joins it: absolute paths stand, others are under the app root.
    public static func resolve(_ name: String, in appRoot: String) -> String {
        if name.hasPrefix("/") || appRoot == "." || appRoot.isEmpty { return name }
        return appRoot.hasSuffix("/") ? appRoot + name : appRoot + "/" + name
    }
}
