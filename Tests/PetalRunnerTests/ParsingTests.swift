import Foundation
import PetalRunner
import Testing

@Suite("Procfile, .env and formation")
struct ParsingTests {
    @Test func parsesAProcfile() throws {
        let procfile = try Procfile(parsing: "# comment\n\nweb: greeter web --port $PORT\nworker_2-x:  petal worker -c 2 \n")
        #expect(procfile.entries.map(\.name) == ["web", "worker_2-x"])
        #expect(procfile.entries[1].command == "petal worker -c 2")
    }

    @Test(arguments: [
        ("web greeter", 1, "expected 'name: command'"),
        ("ok: x\nbad name: y", 2, "must be letters"),
        ("web:", 1, "has no command"),
    ])
    func skipsMalformedProcfileLinesAsHonchoDoes(text: String, line: Int, reason: String) throws {
        let procfile = try Procfile(parsing: text)
        #expect(procfile.entries.map(\.name) == (text.hasPrefix("ok") ? ["ok"] : []))
        let warning = try #require(procfile.warnings.first)
        #expect(warning.line == line)
        #expect(warning.reason.contains(reason))
        #expect("\(warning)".hasPrefix("Procfile:\(line):"))
    }

    @Test func aNameDefinedTwiceIsAnErrorAndNoProcessesIsValid() throws {
        #expect(throws: RunnerError.invalidFile(file: "Procfile", line: 2, reason: "process 'a' is defined twice")) {
            try Procfile(parsing: "a: x\na: y")
        }
        let empty = try Procfile(parsing: "# nothing\n")
        #expect(empty.entries.isEmpty && empty.warnings.isEmpty)
    }

    @Test func parsesEnvFiles() throws {
        let text = """
            # settings
            export A=1
            B='single $NOT \\n expanded'
            C="double\\nline \\"q\\""
            D=
            E=plain value # comment
            F="x" # trailing comment
            G=\\"escaped\\"
            H=a\\ b\\\\c
            """
        let parsed = EnvFile.parse(text)
        #expect(parsed.warnings.isEmpty)
        #expect(Dictionary(uniqueKeysWithValues: parsed.pairs) == [
            "A": "1", "B": "single $NOT \n expanded", "C": "double\nline \"q\"", "D": "", "E": "plain value", "F": "x",
            "G": "\"escaped\"", "H": "a b\\c",
        ])
    }

    @Test(arguments: [("NOEQUALS", 1), ("1BAD=x", 1), ("A=1\nB=\"open", 2), ("A='open", 1), ("A-B=x", 1)])
    func skipsUnreadableEnvLinesWithAWarning(text: String, line: Int) {
        let parsed = EnvFile.parse(text, file: "my.env")
        #expect(parsed.pairs.map(\.0) == (line == 2 ? ["A"] : []))
        #expect(parsed.warnings.map(\.description).first?.hasPrefix("my.env:\(line):") == true)
    }

    @Test func theFilesWinOverTheEnvironmentAndNamePort() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("petal-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "A=file\nB=file\nPORT=7000\nPROCFILE=Procfile.dev\n".write(toFile: folder + "/.env", atomically: true, encoding: .utf8)
        try "web: w\n".write(toFile: folder + "/Procfile.dev", atomically: true, encoding: .utf8)
        let project = try Project.load(appRoot: folder, procfile: nil, envFiles: nil, base: ["A": "env", "C": "env", "PORT": "6000"])
        #expect(project.environment["A"] == "file")
        #expect(project.environment["C"] == "env")
        #expect(project.procfilePath == folder + "/Procfile.dev")
        #expect(try project.basePort(option: nil) == 7000)
        #expect(try project.basePort(option: 8000) == 8000)
        let missing = try Project.load(appRoot: folder, procfile: "Procfile.dev", envFiles: "none.env", base: ["PORT": "6000"])
        #expect(missing.warnings.map(\.reason) == ["cannot read the file: skipped"])
        #expect(try missing.basePort(option: nil) == 6000)
        #expect(throws: RunnerError.missingFile(folder + "/Procfile")) {
            try Project.load(appRoot: folder, procfile: "Procfile", envFiles: "none.env", base: [:])
        }
    }

    @Test func formationCountsAndPortsFollowHonchoAndForeman() throws {
        let procfile = try Procfile(parsing: "redis: r\nweb: w\nworker: k\n")
        let formation = try Formation(procfile: procfile, spec: "all=0,worker=2")
        #expect(formation.count(of: "redis") == 0)
        #expect(formation.count(of: "worker") == 2)
        #expect(try Formation(procfile: procfile, spec: nil).count(of: "web") == 1)
        #expect(formation.port(base: 5000, name: "redis", instance: 1) == 5000)
        #expect(formation.port(base: 5000, name: "web", instance: 1) == 5100)
        #expect(formation.port(base: 5000, name: "worker", instance: 2) == 5201)
        #expect(try Formation(procfile: procfile, spec: "nosuch=1").unknownNames == ["nosuch"], "ignored, as honcho does")
        let named = try Formation(procfile: procfile, spec: nil, portOrder: ["worker"])
        #expect(named.port(base: 5000, name: "worker", instance: 1) == 5000, "honcho counts the types named on the command line")
        #expect(named.port(base: 5000, name: "redis", instance: 1) == 5100)
        #expect(throws: RunnerError.self) { try Formation(procfile: procfile, spec: "web=-1") }
        #expect(throws: RunnerError.self) { try Formation(procfile: procfile, spec: "web") }
    }
}

@Suite("Output multiplexing")
struct OutputTests {
    /// Output written through a mux into a temporary file, read back.
    func capture(style: OutputMux.Style, _ body: (OutputMux) -> Void) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("petal-out-\(UUID())").path
        FileManager.default.createFile(atPath: path, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_WRONLY)
        body(OutputMux(descriptor: descriptor, style: style, names: ["web.1", "worker.10"]))
        close(descriptor)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func prefixesAlignedWholeLinesAndFlushesPartialOnes() throws {
        let text = try capture(style: .init(color: false, prefix: true)) { mux in
            mux.write("web.1", bytes: ArraySlice(Array("one\ntw".utf8)))
            mux.write("web.1", bytes: ArraySlice(Array("o\r\nthr".utf8)))
            mux.flush("web.1")
            mux.system("bye")
        }
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.map { String($0.dropFirst(9)) } == ["web.1     | one", "web.1     | two", "web.1     | thr", "system    | bye"])
        #expect(lines[0].prefix(8).allSatisfy { $0.isNumber || $0 == ":" })
    }

    @Test func coloursOnlyWhenAskedAndNoPrefixWhenNot() throws {
        let coloured = try capture(style: .init(color: true, prefix: true)) { $0.write("web.1", bytes: ArraySlice(Array("x\n".utf8))) }
        #expect(coloured.contains("\u{1B}[36m"))
        let plain = try capture(style: .init(color: false, prefix: false)) { $0.write("web.1", bytes: ArraySlice(Array("x\n".utf8))) }
        #expect(plain == "x\n")
        #expect(!OutputMux.Style.detect(descriptor: open("/dev/null", O_WRONLY), noColor: false, noPrefix: false).color,
                "not a terminal: no colour")
    }
}
