import Foundation

/// Where the apps find their Templates/ and Static/ folders.
public enum ResourceDirectory {
    /// Templates/ and Static/ next to the package: found from the working directory or the executable.
    public static func find(_ name: String) -> String {
        let candidates = [FileManager.default.currentDirectoryPath]
            + [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()]
                .flatMap { url in (0..<5).map { depth in (0..<depth).reduce(url) { u, _ in u.deletingLastPathComponent() }.path } }
        for base in candidates where FileManager.default.fileExists(atPath: base + "/" + name) {
            return base + "/" + name
        }
        return FileManager.default.currentDirectoryPath + "/" + name
    }
}
