import ArgumentParser
import PetalCommandLine
import PetalWorker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: a supervisor and a pool of child processes running the built-in tasks.")

    @OptionGroup var redis: RedisOptions
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await options.run(registry: BuiltinTasks.registry, redis: redis, settings: .ofThisProcess(), label: "petal.worker")
    }
}
