import Foundation
import PetalTestSupport
import Testing

/// The runner where a fresh-eyes review found it weak: files from Windows, files that are not
/// UTF-8, a --socket that names a real file, exports that could inject directives or collide.
@Suite("Runner at the edges", .serialized)
struct RunnerEdgeTests {
    @Test func windowsLineEndingsAreLines() throws {
        // Each lingers a moment after printing: the first to exit stops the other.
        let project = try ProjectFolder(["Procfile": "web: echo \"web $A\"; sleep 2\r\nworker: echo \"worker $B\"; sleep 2\r\n", ".env": "A=1\r\nB=2\r\n"])
        let check = try project.petal(["check"])
        #expect(check.error.contains("Valid procfile detected (web, worker)"), "\(check.error)")
        let start = try project.petal(["start"])
        #expect(start.output.hasLine(from: "web.1", saying: "web 1"), "\(start.output)")
        #expect(start.output.hasLine(from: "worker.1", saying: "worker 2"), "\(start.output)")
    }

    @Test func aFileThatIsNotUTF8IsReadWithAWarning() throws {
        let project = try ProjectFolder(["Procfile": "web: echo \"$DATABASE_URL\"\n"])
        try Data("# r\u{E9}glages\nDATABASE_URL=postgres://db\n".utf8.map { $0 }.replacingLatin1()).write(to: URL(fileURLWithPath: project.path + "/.env"))
        let start = try project.petal(["start"])
        #expect(start.output.hasLine(from: "web.1", saying: "postgres://db"), "\(start.output)")
        #expect(start.error.contains("not valid UTF-8"), "\(start.error)")
    }

    @Test func aSocketPathThatNamesAFileIsRefusedAndKept() throws {
        let project = try ProjectFolder(["Procfile": "web: echo hi\n", "precious.txt": "keep me\n", ".env": "PETAL_RUNNER_SOCKET=precious.txt\n"])
        let viaOption = try project.petal(["start", "--socket", "precious.txt"])
        #expect(viaOption.code != 0)
        #expect(project.file("precious.txt") == "keep me\n")
        let viaEnv = try project.petal(["start"])
        #expect(viaEnv.code != 0, "\(viaEnv.output)")
        #expect(project.file("precious.txt") == "keep me\n")
        let deep = try project.petal(["start", "--socket", "no/such/folder/s.sock"])
        #expect(deep.code != 0)
        #expect(!FileManager.default.fileExists(atPath: project.path + "/no"), "no folders made along the way")
    }

    @Test func nothingStartedIsAFailure() throws {
        let huge = String(repeating: "y", count: 3_000_000)
        let project = try ProjectFolder(["Procfile": "web: echo hi\n", ".env": "A=\(huge)\n"])
        #expect(try project.petal(["start"]).code != 0)
    }

    @Test func exportRefusesWhatWouldBreakOrEscapeItsFiles() throws {
        let project = try ProjectFolder(["Procfile": "web: echo hi\n", ".env": "A=\"1\\nExecStartPre=/bin/touch /tmp/pwned\"\n"])
        let injected = try project.petal(["export", "systemd", "out"])
        #expect(injected.code == 1)
        #expect(injected.error.contains("line break"), "\(injected.error)")
        #expect(project.file("out/web-1.service") == nil)
        let clean = try ProjectFolder(["Procfile": "a: echo A\na-1: echo A1\n"])
        let collision = try clean.petal(["export", "upstart", "up", "-a", "app"])
        #expect(collision.code == 1 && collision.error.contains("same file"), "\(collision.error)")
        let outside = try clean.petal(["export", "systemd", "out", "-a", "../../evil"])
        #expect(outside.code == 1 && outside.error.contains("app name"), "\(outside.error)")
    }
}

private extension Array where Element == UInt8 {
    /// The UTF-8 of é (C3 A9) as Latin-1's single E9, as an editor set to Latin-1 writes it.
    func replacingLatin1() -> [UInt8] {
        var bytes: [UInt8] = []
        var index = 0
        while index < count {
            if index + 1 < count, self[index] == 0xC3, self[index + 1] == 0xA9 { bytes.append(0xE9); index += 2 } else { bytes.append(self[index]); index += 1 }
        }
        return bytes
    }
}
