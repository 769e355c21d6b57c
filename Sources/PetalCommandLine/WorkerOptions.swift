import ArgumentParser
import Foundation
import Logging
import PetalSettings
import PetalWorker

/// What every worker command takes (`petal worker`, `greeter worker`): the two differ only in
/// their task registry.
public struct WorkerOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Worker name, unique among live workers (default: petal-<pid>@<host>).")
    var name: String?

    @Option(name: [.short, .long], help: "Queues to consume, highest priority first (comma-separated; default: the command's own).")
    var queues: String?

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

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: PETAL_LOG_LEVEL or info).")
    var logLevel: String?

    public init() {}

    /// Sets up logging, then runs a worker with `registry` until it stops; a non-zero status
    /// ends the command with that status.
    /// `defaultQueues` are consumed when `--queues` is not given: each application's tasks go to
    /// queues of its own, so a worker never takes a job whose task it does not have.
    public func run(registry: TaskRegistry, redis: RedisOptions, settings: EnvironmentSettings, label: String,
                    defaultQueues: [String] = ["default"]) async throws {
        LogSetup.bootstrap(level: logLevel, settings: settings)
        let configuration = try configuration(redis: redis, settings: settings, defaultQueues: defaultQueues)
        let worker = Worker(configuration: configuration, registry: registry, logger: Logger(label: label))
        let code = try await worker.run()
        if code != 0 { throw ExitCode(code) }
    }

    public func configuration(redis: RedisOptions, settings: EnvironmentSettings, defaultQueues: [String] = ["default"]) throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration(
            redis: try redis.redisConfiguration(settings), keyPrefix: redis.keyPrefix(settings),
            queues: queues.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? defaultQueues,
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
