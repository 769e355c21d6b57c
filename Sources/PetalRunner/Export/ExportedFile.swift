import Foundation

/// One file `petal export` writes, its path relative to the export folder.
public struct ExportedFile: Sendable, Equatable {
    public let path: String
    public let content: String
    public let executable: Bool

    public init(_ path: String, _ content: String, executable: Bool = false) {
        self.path = path
        self.content = content
        self.executable = executable
    }

    /// Writes `files` under `directory`, creating folders; executables get mode 0755.
    public static func write(_ files: [ExportedFile], to directory: String) throws -> [String] {
        var written: [String] = []
        for file in files {
            let path = directory + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.content.write(toFile: path, atomically: true, encoding: .utf8)
            if file.executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
            written.append(path)
        }
        return written
    }
}
