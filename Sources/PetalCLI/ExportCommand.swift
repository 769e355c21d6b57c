import ArgumentParser
import Foundation
import PetalRunner

/// `petal export FORMAT DIR`: service files for the Procfile's formation, as `honcho export` writes them.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write service files for the formation: systemd, supervisord, runit or upstart.")

    @OptionGroup var project: ProjectOptions
    @Argument(help: "systemd, supervisord, runit or upstart.") var format: ExportFormat
    @Argument(help: "The folder to write to (created when missing).") var location: String
    @Option(name: [.short, .long], help: "App name, the files' prefix (default: the current folder's name).") var app: String?
    @Option(name: [.short, .long], help: "User the processes run as (default: the app name).") var user: String?
    @Option(name: [.short, .long], help: "Log folder for supervisord and runit (default: /var/log/APP).") var log: String?
    @Option(name: [.short, .long], help: "How many of each: all=1,worker=2.") var concurrency: String?
    @Option(name: [.short, .long], help: "Base port (default: PORT from .env, else from the environment, else 5000).") var port: Int?
    @Option(name: [.short, .long], help: "The shell that runs each command.") var shell: String = "/bin/sh"

    func run() throws {
        try RunnerFailure.reporting {
            let loaded = try project.load()
            let formation: Formation
            do { formation = try Formation(procfile: loaded.procfile, spec: concurrency) } catch { throw ValidationError("\(error)") }
            for name in formation.unknownNames { RunnerFailure.warn("-c \(name): no such process type in \(loaded.procfilePath), ignored") }
            let basePort: Int
            do { basePort = try loaded.basePort(option: port) } catch { throw RunnerFailure("\(error)") }
            let appName = app ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).lastPathComponent
            let root = URL(fileURLWithPath: project.appRoot).standardizedFileURL.path
            let settings = ExportSettings(app: appName, user: user, logDirectory: log, shell: shell, appRoot: root)
            let instances = ExportedInstance.expand(loaded.procfile, formation: formation, basePort: basePort, dotEnv: loaded.dotEnv)
            do { try ExportedInstance.check(instances, settings: settings) } catch { throw RunnerFailure("\(error)") }
            let files = format.render(instances, settings: settings)
            do {
                for path in try ExportedFile.write(files, to: location) {
                    FileHandle.standardError.write(Data("Writing '\(path)'\n".utf8))
                }
            } catch {
                throw RunnerFailure("cannot write to \(location): \(error.localizedDescription)")
            }
        }
    }
}

/// An unknown format is a usage error (64) listing the four.
extension ExportFormat: ExpressibleByArgument {}
