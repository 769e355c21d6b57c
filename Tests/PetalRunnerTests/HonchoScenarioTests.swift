import Foundation
import PetalTestSupport
import Testing

/// The scenarios of honcho's own integration tests (tests/integration in honcho 2.0), played
/// against `petal` as those tests play them against `honcho`: a folder of real files, the command
/// run in it by name, its status, stdout and stderr read apart. Nothing is fetched: the scenarios
/// are written here, with shell scripts where honcho's use Python.
@Suite("honcho's integration scenarios", .serialized)
struct HonchoScenarioTests {
    /// honcho's test.py: prints ANIMAL (default elephant) on stdout and a line on stderr.
    static let script = "echo \"${ANIMAL:-elephant}\"\necho 'error output' >&2\n"

    @Test func startRunsTheProcfileAndShowsBothStreams() throws {
        let project = try ProjectFolder(["Procfile": "foo: sh test.sh", "test.sh": Self.script])
        let result = try project.petal(["start"])
        #expect(result.code == 0)
        #expect(result.output.hasLine(from: "foo.1", saying: "elephant"))
        #expect(result.output.hasLine(from: "foo.1", saying: "error output"))
    }

    @Test func startGivesProcessesTheEnvFile() throws {
        let project = try ProjectFolder([".env": "ANIMAL=giraffe", "Procfile": "foo: sh test.sh", "test.sh": Self.script])
        #expect(try project.petal(["start"]).output.contains("giraffe"))
    }

    @Test func theEnvFileWinsOverTheEnvironment() throws {
        let project = try ProjectFolder([".env": "ANIMAL=giraffe\nPORT=7000", "Procfile": "foo: sh test.sh; echo \"port $PORT\"", "test.sh": Self.script])
        let result = try project.petal(["start"], environment: ["ANIMAL": "lion", "PORT": "6000"])
        #expect(result.output.contains("giraffe"))
        #expect(!result.output.contains("lion"))
        #expect(result.output.contains("port 7000"))
    }

    @Test func procfileInTheEnvFileChoosesTheProcfile() throws {
        let project = try ProjectFolder([".env": "PROCFILE=Procfile.dev", "Procfile": "foo: sh test.sh",
                                         "Procfile.dev": "bar: echo mongoose", "test.sh": Self.script])
        let result = try project.petal(["start"])
        #expect(result.output.hasLine(from: "bar.1", saying: "mongoose"))
        #expect(!result.output.contains("elephant"))
    }

    @Test func procfileInTheEnvironmentChoosesTheProcfile() throws {
        let project = try ProjectFolder(["Procfile": "foo: echo main", "Procfile.dev": "bar: echo mongoose"])
        #expect(try project.petal(["start"], environment: ["PROCFILE": "Procfile.dev"]).output.contains("mongoose"))
    }

    @Test(arguments: [["-f", "Procfile.dev", "start"], ["start", "-f", "Procfile.dev"], ["--procfile=Procfile.dev", "start"]])
    func procfileOptionBeforeOrAfterTheCommand(arguments: [String]) throws {
        let project = try ProjectFolder(["Procfile": "foo: echo main", "Procfile.dev": "bar: echo mongoose"])
        let result = try project.petal(arguments)
        #expect(result.code == 0, "\(result.error)")
        #expect(result.output.hasLine(from: "bar.1", saying: "mongoose"))
    }

    @Test func startExitsWithTheStatusOfTheProcessThatStopped() throws {
        let project = try ProjectFolder(["Procfile": "foo: exit 42"])
        #expect(try project.petal(["start"]).code == 42)
    }

    @Test func runPrintsTheCommandsOutputAsIs() throws {
        let project = try ProjectFolder(["test.sh": Self.script])
        let result = try project.petal(["run", "sh", "test.sh"])
        #expect(result.code == 0)
        #expect(result.output == "elephant\n")
        #expect(result.error.contains("error output\n"))
    }

    @Test func runGivesTheCommandTheEnvFile() throws {
        let project = try ProjectFolder([".env": "ANIMAL=giraffe", "test.sh": Self.script])
        #expect(try project.petal(["run", "sh", "test.sh"], environment: ["ANIMAL": "lion"]).output == "giraffe\n")
    }

    @Test(arguments: [["-e", ".env.x", "run", "sh", "test.sh"], ["run", "-e", ".env.x", "sh", "test.sh"]])
    func runTakesTheEnvOptionBeforeOrAfterTheCommand(arguments: [String]) throws {
        let project = try ProjectFolder([".env.x": "ANIMAL=giraffe", "test.sh": Self.script])
        let result = try project.petal(arguments)
        #expect(result.code == 0, "\(result.error)")
        #expect(result.output == "giraffe\n")
    }

    @Test func runTakesTheSeparator() throws {
        let project = try ProjectFolder(["test.sh": Self.script])
        let result = try project.petal(["run", "--", "sh", "test.sh"])
        #expect(result.code == 0)
        #expect(result.output == "elephant\n")
    }

    @Test func runPassesTheStatusOn() throws {
        let project = try ProjectFolder([:])
        #expect(try project.petal(["run", "sh", "-c", "exit 7"]).code == 7)
    }

    @Test func checkLogsTheProcessTypesOnStderr() throws {
        let project = try ProjectFolder(["Procfile": "\nfoo: python web.py\nbar: ruby worker.rb\nbaz: node socket.js\n"])
        let result = try project.petal(["check"])
        #expect(result.code == 0)
        #expect(result.error.contains("Valid procfile detected (foo, bar, baz)"))
        #expect(result.output.isEmpty)
    }

    @Test func exportToSupervisordWritesOneFileNamedAfterTheApp() throws {
        let project = try ProjectFolder(["Procfile": "web: python web.py"])
        let result = try project.petal(["export", "supervisord", project.path + "/giraffe", "-a", "neck"])
        #expect(result.code == 0, "\(result.error)")
        #expect(FileManager.default.fileExists(atPath: project.path + "/giraffe/neck.conf"))
    }

    @Test func exportToUpstartWritesAppTypeAndInstanceJobs() throws {
        let project = try ProjectFolder(["Procfile": "web: python web.py"])
        #expect(try project.petal(["export", "upstart", project.path + "/elephant", "-a", "trunk"]).code == 0)
        for name in ["trunk.conf", "trunk-web.conf", "trunk-web-1.conf"] {
            #expect(FileManager.default.fileExists(atPath: project.path + "/elephant/" + name), "\(name)")
        }
    }

    @Test func exportToUpstartQuotesTheEnvFilesValuesAsHonchoDoes() throws {
        let env = """

            NORMAL=ok
            SQ_SPACES='sqspace sqspace'
            DQ_SPACES="dqspace dqspace"
            SQ="it's got single quotes"
            DQ='it has "double" quotes'
            EXCL='an exclamation mark!'
            SQ_DOLLAR='costs $UNINTERPOLATED amount'
            DQ_DOLLAR="costs $UNINTERPOLATED amount"

            """
        let project = try ProjectFolder(["Procfile": "web: python web.py", ".env": env])
        #expect(try project.petal(["export", "upstart", "test", "-a", "envvars"]).code == 0)
        let lines = try #require(project.file("test/envvars-web-1.conf")).split(separator: "\n").map(String.init)
        for expected in ["env NORMAL=ok", "env SQ_SPACES='sqspace sqspace'", "env DQ_SPACES='dqspace dqspace'",
                         "env SQ='it'\"'\"'s got single quotes'", "env DQ='it has \"double\" quotes'",
                         "env EXCL='an exclamation mark!'", "env SQ_DOLLAR='costs $UNINTERPOLATED amount'",
                         "env DQ_DOLLAR='costs $UNINTERPOLATED amount'"] {
            #expect(lines.contains(expected), "\(expected)")
        }
    }

    @Test func exportToSystemdWritesTargetsAndAServicePerInstance() throws {
        let project = try ProjectFolder(["Procfile": "web: python web.py\nworker: python worker.py\n", ".env": "ANIMAL=giraffe"])
        let result = try project.petal(["export", "systemd", "units", "-a", "zoo", "-c", "worker=2"])
        #expect(result.code == 0, "\(result.error)")
        for name in ["zoo.target", "zoo-web.target", "zoo-worker.target", "zoo-web-1.service", "zoo-worker-1.service", "zoo-worker-2.service"] {
            #expect(project.file("units/" + name) != nil, "\(name)")
        }
        let service = try #require(project.file("units/zoo-worker-2.service"))
        #expect(service.contains("Environment=\"ANIMAL=giraffe\"\nEnvironment=\"PORT=5101\"\nEnvironment=\"PS=worker.2\"\n"))
    }
}
