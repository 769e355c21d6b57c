import Foundation
import PetalRunner
import PetalSystem
import Testing

/// `petal export`'s files for each format, read back as the service manager would read them.
@Suite("Export formats")
struct ExportTests {
    static let procfile = try! Procfile(parsing: "web: exec greeter web --port $PORT\nworker: echo 'it''s' \"100%\" ${N:-2}\n")
    static let settings = ExportSettings(app: "zoo", user: "keeper", logDirectory: "/var/log/zoo", appRoot: "/srv/zoo app")

    static func instances(_ spec: String = "worker=2") throws -> [ExportedInstance] {
        ExportedInstance.expand(procfile, formation: try Formation(procfile: procfile, spec: spec), basePort: 5000,
                                dotEnv: [("ANIMAL", "giraffe"), ("PORT", "1"), ("MOTTO", "a \"b\", 50% $c\\d"), ("ANIMAL", "lion")])
    }

    static func file(_ files: [ExportedFile], _ path: String) throws -> String {
        try #require(files.first { $0.path == path }?.content, "\(path) in \(files.map(\.path))")
    }

    @Test func instancesGetTheEnvFileThenPortAndPs() throws {
        let instances = try Self.instances()
        #expect(instances.map(\.name) == ["web.1", "worker.1", "worker.2"])
        #expect(instances[2].environment.map(\.name) == ["ANIMAL", "MOTTO", "PORT", "PS"])
        #expect(instances[2].environment.map(\.value) == ["lion", "a \"b\", 50% $c\\d", "5101", "worker.2"])
        #expect(try Self.instances("web=0").map(\.name) == ["worker.1"], "a type with count 0 has no instance")
    }

    @Test func systemdTargetsServicesAndQuoting() throws {
        let files = ExportFormat.systemd.render(try Self.instances(), settings: Self.settings)
        #expect(files.map(\.path) == ["zoo.target", "zoo-web.target", "zoo-web-1.service", "zoo-worker.target",
                                      "zoo-worker-1.service", "zoo-worker-2.service"])
        #expect(try Self.file(files, "zoo.target").contains("Wants=zoo-web.target zoo-worker.target\n"))
        let group = try Self.file(files, "zoo-worker.target")
        #expect(group.contains("PartOf=zoo.target\nWants=zoo-worker-1.service zoo-worker-2.service\n"))
        let service = try Self.file(files, "zoo-worker-2.service")
        #expect(service.contains("PartOf=zoo-worker.target\n"))
        #expect(service.contains("User=keeper\nWorkingDirectory=/srv/zoo app\n"))
        #expect(service.contains("Environment=\"MOTTO=a \\\"b\\\", 50%% $c\\\\d\"\n"))
        #expect(service.contains("Environment=\"PORT=5101\"\nEnvironment=\"PS=worker.2\"\n"))
        #expect(service.contains("ExecStart=/bin/sh -lc \"echo 'it''s' \\\"100%%\\\" $${N:-2}\"\n"))
        #expect(service.contains("KillMode=mixed\n"))
    }

    /// systemd's own reading of the units, when systemd-analyze is installed (it is not required).
    @Test func systemdAnalyzeAcceptsTheUnits() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return  // not installed: nothing to ask
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("petal-units-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = Self.settings
        settings.appRoot = "/"
        let paths = try ExportedFile.write(ExportFormat.systemd.render(try Self.instances(), settings: settings), to: folder)
        let log = folder + "/verify.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let descriptor = open(log, O_WRONLY)
        let process = try ChildProcess.spawn(executable: analyze, arguments: ["verify", "--man=no"] + paths,
                                             environment: ProcessInfo.processInfo.environment, descriptors: [1: descriptor, 2: descriptor])
        close(descriptor)
        let termination = process.wait(upTo: 60)
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(termination == .exited(0), "\(output)")
        #expect(!output.contains("zoo"), "no complaint about the units: \(output)")
    }

    @Test func supervisordProgramsAndGroup() throws {
        let files = ExportFormat.supervisord.render(try Self.instances(), settings: Self.settings)
        #expect(files.map(\.path) == ["zoo.conf"])
        let text = files[0].content
        #expect(text.contains("[program:worker-2]\ncommand=/bin/sh -c 'echo '\"'\"'it'\"'\"''\"'\"'s'\"'\"' \"100%%\" ${N:-2}'\n"))
        #expect(text.contains("stopsignal=TERM\nstopasgroup=true\nkillasgroup=true\n"))
        #expect(text.contains("stdout_logfile=/var/log/zoo/worker-2.log\nstderr_logfile=/var/log/zoo/worker-2.error.log\nuser=keeper\ndirectory=/srv/zoo app\n"))
        #expect(text.contains("environment=ANIMAL=\"lion\",MOTTO=\"a \\\"b\\\", 50%% $c\\\\d\",PORT=\"5101\",PS=\"worker.2\"\n"))
        #expect(text.hasSuffix("[group:zoo]\nprograms=web-1,worker-1,worker-2\n"))
    }

    @Test func runitServiceFoldersWithEnvdirs() throws {
        let files = ExportFormat.runit.render(try Self.instances(), settings: Self.settings)
        #expect(files.filter { $0.path.hasPrefix("zoo-worker-2/") }.map(\.path) == [
            "zoo-worker-2/env/ANIMAL", "zoo-worker-2/env/MOTTO", "zoo-worker-2/env/PORT", "zoo-worker-2/env/PS",
            "zoo-worker-2/run", "zoo-worker-2/log/run",
        ])
        #expect(try Self.file(files, "zoo-worker-2/env/PORT") == "5101")
        let run = try Self.file(files, "zoo-web-1/run")
        #expect(run.hasPrefix("#!/bin/sh\nexec 2>&1\nENVDIR=$PWD/env\ncd '/srv/zoo app'\n"))
        #expect(run.contains("exec chpst -u keeper -e \"$ENVDIR\" \\\n  /bin/sh -c 'exec greeter web --port $PORT'\n"))
        #expect(try Self.file(files, "zoo-web-1/log/run").contains("LOG=/var/log/zoo/web-1\n"))
        #expect(files.filter(\.executable).map(\.path).allSatisfy { $0.hasSuffix("run") })
    }

    @Test func upstartJobs() throws {
        let files = ExportFormat.upstart.render(try Self.instances(), settings: Self.settings)
        #expect(files.map(\.path) == ["zoo.conf", "zoo-web.conf", "zoo-web-1.conf", "zoo-worker.conf", "zoo-worker-1.conf", "zoo-worker-2.conf"])
        #expect(try Self.file(files, "zoo-web.conf") == "start on starting zoo\nstop on stopping zoo\n")
        let job = try Self.file(files, "zoo-web-1.conf")
        #expect(job.hasPrefix("start on starting zoo-web\nstop on stopping zoo-web\nrespawn\n\nenv ANIMAL=lion\n"))
        #expect(job.contains("env PORT=5000\nenv PS=web.1\n\nexec su - keeper -m -s /bin/sh -c 'cd '\"'\"'/srv/zoo app'\"'\"'; exec greeter web --port $PORT'\n"))
    }

    @Test func writtenFilesAndExecutables() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("petal-export-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = try ExportedFile.write(ExportFormat.runit.render(try Self.instances("worker=0"), settings: Self.settings), to: folder + "/new")
        #expect(paths.count == 6)
        #expect(FileManager.default.isExecutableFile(atPath: folder + "/new/zoo-web-1/run"))
        #expect(!FileManager.default.isExecutableFile(atPath: folder + "/new/zoo-web-1/env/PS"))
    }
}
