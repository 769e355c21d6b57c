import ArgumentParser
import Foundation
import Logging
import PetalWorker

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: a supervisor and a pool of child processes running the built-in tasks.")

    @OptionGroup var redis: RedisOptions
    @OptionGroup var options: WorkerOptions

    func run() async throws {
        LogSetup.bootstrap(level: options.logLevel)
        let worker = Worker(configuration: try options.configuration(redis: redis), registry: BuiltinTasks.registry,
                            logger: Logger(label: "petal.worker"))
        let code = try await worker.run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// Options every worker command shares (`petal worker`, `greeter worker`).
public struct WorkerOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Worker name, unique among live workers (default: petal-<pid>@<host>).")
    var name: String?

    @Option(name: [.short, .long], help: "Queues to consume, highest priority first (comma-separated).")
    var queues: String = "default"

    @Option(name: [.short, .long], help: "Child processes in the pool.")
    var concurrency: Int = 2

    @Option(help: "Autoscale bounds as MAX,MIN (grow while jobs wait, shrink when idle).")
    var autoscale: String?

    @Option(help: "Seconds between heartbeats.")
    var heartbeatInterval: Double = 2

    @Option(help: "Seconds a warm shutdown waits for running jobs before re-queueing them.")
    var shutdownTimeout: Double = 30

    @Option(help: "Default soft time limit in seconds for jobs that set none.")
    var softTimeLimit: Double?

    @Option(help: "Default hard time limit in seconds for jobs that set none.")
    var timeLimit: Double?

    @Option(help: "Redeliveries after worker deaths before a job fails with WorkerLostError.")
    var maxRedeliveries: Int = 3

    @Option(help: "Finished jobs kept in history (count).")
    var retentionCount: Int = 100_000

    @Option(help: "Finished jobs kept in history (seconds).")
    var retentionSeconds: Double = 7 * 86_400

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    public init() {}

    func configuration(redis: RedisOptions) throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            redis: try redis.configuration(), keyPrefix: redis.prefix,
            queues: queues.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            concurrency: concurrency, heartbeatInterval: heartbeatInterval, shutdownTimeout: shutdownTimeout,
            maxRedeliveries: maxRedeliveries, retentionCount: retentionCount, retentionSeconds: retentionSeconds,
            defaultSoftTimeLimit: softTimeLimit, defaultTimeLimit: timeLimit)
        if let name { configuration.name = name }
        if let autoscale {
            let bounds = autoscale.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard bounds.count == 2 else { throw ValidationError("--autoscale takes MAX,MIN, e.g. 8,2") }
            configuration.autoscaleMax = bounds[0]
            configuration.autoscaleMin = bounds[1]
        }
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }
}
