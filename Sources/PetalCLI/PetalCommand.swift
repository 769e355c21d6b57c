import ArgumentParser
import PetalRedis

@main
struct PetalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "petal",
        abstract: "Petal: a job system on Redis.",
        discussion: "Every command takes --redis URL (or REDIS_URL). See docs/API.md and docs/PROTOCOL.md.",
        version: VersionCommand.current,
        subcommands: [WorkerCommand.self, CallCommand.self, StatusCommand.self, ResultCommand.self,
                      InspectCommand.self, ControlGroup.self, StartCommand.self, RunCommand.self,
                      CheckCommand.self, ExportCommand.self, PsCommand.self, ScaleCommand.self, RestartCommand.self, StopCommand.self,
                      MonitorCommand.self, ScheduleGroup.self, VersionCommand.self])

    /// Masks Redis passwords in what `ps` shows before anything else runs, then parses the
    /// arguments as they were given (read first: CommandLine.arguments reads argv when first used),
    /// with the runner's common options moved after the command's name.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        PasswordMasking.hideInProcessArguments()
        await main(GlobalOptionOrder.normalized(arguments))
    }
}
