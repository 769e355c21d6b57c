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
        ("a: x\na: y", 2, "defined twice"),
        ("# nothing", 0, "no processes"),
    ])
    func rejectsAMalformedProcfile(text: String, line: Int, reason: String) {
        do {
            _ = try Procfile(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            guard case .invalidFile(_, let badLine, let message) = error else { Issue.record("\(error)"); return }
            #expect(badLine == line)
            #expect(message.contains(reason))
            #expect("\(error)".hasPrefix(line > 0 ? "Procfile:\(line):" : "Procfile:"))
        }
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
            """
        let pairs = Dictionary(uniqueKeysWithValues: try EnvFile.parse(text))
        #expect(pairs == ["A": "1", "B": "single $NOT \\n expanded", "C": "double\nline \"q\"", "D": "", "E": "plain value", "F": "x"])
    }

    @Test(arguments: [("NOEQUALS", 1), ("1BAD=x", 1), ("A=1\nB=\"open", 2), ("A='open", 1), ("A=\"x\" junk", 1)])
    func rejectsAMalformedEnvFile(text: String, line: Int) {
        #expect { try EnvFile.parse(text, file: "my.env") } throws: { error in
            "\(error)".hasPrefix("my.env:\(line):")
        }
    }

    @Test func theEnvironmentWinsOverFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("petal-\(UUID()).env").path
        try "A=file\nB=file\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = try RunnerEnvironment.load(files: path, base: ["A": "env"])
        #expect(merged["A"] == "env")
        #expect(merged["B"] == "file")
        #expect(throws: RunnerError.self) { try RunnerEnvironment.load(files: path + ".missing", base: [:]) }
        #expect(try RunnerEnvironment.load(files: nil, base: ["X": "1"])["X"] == "1", "a missing default .env is fine")
    }

    @Test func formationCountsAndPortsFollowForeman() throws {
        let procfile = try Procfile(parsing: "redis: r\nweb: w\nworker: k\n")
        let formation = try Formation(procfile: procfile, spec: "all=0,worker=2")
        #expect(formation.count(of: "redis") == 0)
        #expect(formation.count(of: "worker") == 2)
        #expect(try Formation(procfile: procfile, spec: nil).count(of: "web") == 1)
        #expect(formation.port(base: 5000, name: "redis", instance: 1) == 5000)
        #expect(formation.port(base: 5000, name: "web", instance: 1) == 5100)
        #expect(formation.port(base: 5000, name: "worker", instance: 2) == 5201)
        #expect(throws: RunnerError.self) { try Formation(procfile: procfile, spec: "nosuch=1") }
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
        #expect(!OutputMux.Style.detect(descriptor: open("/dev/null", O_WRONLY), noColorFlag: false, noPrefix: false).color,
                "not a terminal: no colour")
    }
}
