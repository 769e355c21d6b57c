import Foundation
import PetalTestSupport
import Testing

/// The runner's command line where honcho users meet it first: option order, spellings, exit
/// statuses, lenient files.
@Suite("Runner command line", .serialized)
struct RunnerCommandLineTests {
    @Test(arguments: [["version"], ["-v"], ["--version"]])
    func versionSpellings(arguments: [String]) throws {
        let result = try ProjectFolder([:]).petal(arguments)
        #expect(result.code == 0)
        #expect(result.output == "petal 0.1.0\n")
    }

    @Test(arguments: [
        ["-d", "app", "--no-colour", "check"], ["check", "--app-root", "app", "--no-color"],
        ["--app-root=app", "-e", "none.env", "check"], ["check", "-d", "app", "--no-prefix"],
    ])
    func commonOptionsOnEitherSide(arguments: [String]) throws {
        let project = try ProjectFolder(["app/Procfile": "web: x\n"])
        let result = try project.petal(arguments)
        #expect(result.code == 0, "\(result.error)")
        #expect(result.error.contains("Valid procfile detected (web)"))
    }

    @Test func appRootHoldsTheProcfileAndTheEnvFile() throws {
        let project = try ProjectFolder(["app/Procfile": "web: echo \"$ANIMAL\"\n", "app/.env": "ANIMAL=giraffe\n"])
        #expect(try project.petal(["start", "-d", "app"]).output.hasLine(from: "web.1", saying: "giraffe"))
    }

    @Test func quietHidesAProcessTypesOutput() throws {
        let project = try ProjectFolder(["Procfile": "loud: echo shout; sleep 1\nhush: echo whisper; sleep 1\n"])
        let result = try project.petal(["-q", "hush", "start"])
        #expect(result.output.hasLine(from: "loud.1", saying: "shout"))
        #expect(!result.output.contains("whisper"))
        #expect(result.output.contains("hush.1 started"), "the runner's own lines stay")
    }

    @Test func runtimeErrorsExit1WithAMessageAndNoUsage() throws {
        let project = try ProjectFolder(["Procfile": "web: x\n"])
        let unknown = try project.petal(["start", "nosuch"])
        #expect(unknown.code == 1)
        #expect(unknown.error.contains("process type 'nosuch' does not exist in Procfile"))
        #expect(!unknown.error.contains("Usage"))
        let missing = try project.petal(["check", "-f", "Procfile.missing"])
        #expect(missing.code == 1)
        #expect(missing.error.contains("Procfile.missing does not exist or is not a file"))
        let twice = try ProjectFolder(["Procfile": "web: x\nweb: y\n"]).petal(["check"])
        #expect(twice.code == 1)
        #expect(twice.error.contains("Procfile:2: process 'web' is defined twice"))
        let badPort = try ProjectFolder(["Procfile": "web: x\n", ".env": "PORT=abc\n"]).petal(["start"])
        #expect(badPort.code == 1)
        #expect(badPort.error.contains("invalid value for port: 'abc'"))
    }

    @Test(arguments: [["start", "--no-such-option"], ["start", "-c", "web"], ["-f", "Procfile", "worker"], ["export", "launchd", "out"]])
    func usageErrorsStay64(arguments: [String]) throws {
        let result = try ProjectFolder(["Procfile": "web: x\n"]).petal(arguments)
        #expect(result.code == 64, "\(result.error)")
    }

    @Test func linesHonchoSkipsAreWarningsNotRefusals() throws {
        let project = try ProjectFolder([
            "Procfile": "web: echo \"[$MYVAR] [$OK]\"\nthis line is prose\nbad name: x\n",
            ".env": "1INVALID=x\nMYVAR=\\\"escaped\\\"\nNOEQUALS\nOK=yes\n",
        ])
        let check = try project.petal(["check"])
        #expect(check.code == 0)
        #expect(check.error.contains("Valid procfile detected (web)"))
        #expect(check.error.contains("warning: .env:1: '1INVALID' is not a variable name: line skipped"))
        #expect(check.error.contains("warning: Procfile:2:"))
        let start = try project.petal(["start"])
        #expect(start.code == 0)
        #expect(start.output.hasLine(from: "web.1", saying: "[\"escaped\"] [yes]"))
    }

    @Test func anEmptyProcfileIsValid() throws {
        let project = try ProjectFolder(["Procfile": "# nothing yet\n"])
        let check = try project.petal(["check"])
        #expect(check.code == 0)
        #expect(check.error.contains("Valid procfile detected ()"))
        #expect(try project.petal(["start"]).code == 0)
    }

    @Test func unknownNamesInTheFormationAreIgnoredWithAWarning() throws {
        let result = try ProjectFolder(["Procfile": "web: echo up\n"]).petal(["start", "-c", "web=1,nosuch=2"])
        #expect(result.code == 0)
        #expect(result.error.contains("-c nosuch: no such process type"))
    }

    @Test func portsCountTheTypesNamedOnTheCommandLine() throws {
        // honcho: `start worker` gives worker the base port; the Procfile order counts only without names.
        let project = try ProjectFolder(["Procfile": "web: echo \"web $PORT\"; sleep 1\nworker: echo \"worker $PORT\"; sleep 1\n"])
        #expect(try project.petal(["start", "worker", "-p", "6000"]).output.contains("worker 6000"))
        #expect(try project.petal(["start", "-p", "6000"]).output.contains("worker 6100"))
    }

    @Test func runHelpIsPetalsHelp() throws {
        let result = try ProjectFolder([:]).petal(["run", "--help"])
        #expect(result.code == 0)
        #expect(result.output.contains("petal run"))
    }

    @Test func theReposProcfileIsValid() throws {
        let project = try ProjectFolder([:])
        let root = PetalBinary.root.path
        let result = try project.petal(["check", "-f", root + "/Procfile", "-e", root + "/.env.example"])
        #expect(result.code == 0, "\(result.error)")
        #expect(result.error.contains("Valid procfile detected (redis, web, worker, monitor)"))
        #expect(!result.error.contains("warning"))
    }
}
