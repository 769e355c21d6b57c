import ArgumentParser
import Foundation
import Petal
import PetalCommandLine

struct ControlGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Steer workers: revoke jobs, resize pools, add queues, shut down.",
        subcommands: [Revoke.self, PoolGrow.self, PoolShrink.self, Autoscale.self, Shutdown.self, AddConsumer.self,
                      CancelConsumer.self, TimeLimit.self, RateLimitCommand.self])

    /// Sends a command and prints each worker's reply; exits 1 when none answered or one refused.
    static func send(_ command: ControlCommand, to worker: String?, redis: RedisOptions, timeout: Double) async throws {
        let client = try redis.client(.ofThisProcess())
        // A worker that is not online would only let the wait run out: said at once.
        if let worker, try await reportingErrors({ try await client.worker(worker)?.online }) != true {
            FileHandle.standardError.write(Data("petal: no worker named \(worker) is online (see `petal inspect workers`)\n".utf8))
            throw ExitCode(1)
        }
        let replies = try await reportingErrors { try await client.control(command, destination: worker.map { [$0] }, timeout: timeout) }
        if replies.isEmpty {
            FileHandle.standardError.write(Data("petal: no reply from \(worker ?? "any worker") within \(timeout)s\n".utf8))
            throw ExitCode(1)
        }
        for reply in replies {
            if let error = reply.error { print("\(reply.worker): error: \(error)") } else { print("\(reply.worker): \(reply.ok?.stringValue ?? reply.ok?.jsonText ?? "ok")") }
        }
        if replies.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }

    /// The worker a command goes to, and how long to wait for its reply.
    struct ControlTarget: ParsableArguments {
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Worker name (see `petal inspect workers`).") var worker: String
        @Option(help: "Seconds to wait for the reply.") var timeout: Double = 2

        func send(_ command: ControlCommand) async throws {
            try await ControlGroup.send(command, to: worker, redis: redis, timeout: timeout)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a job: it never starts; with --terminate a running job is killed.")
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Job id.") var id: String
        @Flag(help: "Kill the job's process if it is running.") var terminate = false
        @Option(help: "Signal for --terminate.") var signal: String = "SIGTERM"

        func run() async throws {
            let client = try redis.client(.ofThisProcess())
            let outcome = try await reportingErrors { try await client.revoke(id, terminate: terminate, signal: signal) }
            switch outcome {
            case .unknown: FileHandle.standardError.write(Data("petal: no job with id \(id)\n".utf8)); throw ExitCode(2)
            case .finished: print("\(id): already finished, nothing to revoke")
            case .revoked: print("\(id): revoked")
            case .running: print(terminate ? "\(id): running, terminating" : "\(id): running; it will finish (use --terminate to kill it)")
            }
        }
    }

    struct PoolGrow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pool-grow", abstract: "Add child processes to a worker's pool.")
        @OptionGroup var target: ControlTarget
        @Option(name: .short, help: "How many.") var n: Int = 1
        func run() async throws { try await target.send(.poolGrow(n)) }
    }

    struct PoolShrink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pool-shrink", abstract: "Remove child processes (idle ones first; busy ones finish their job).")
        @OptionGroup var target: ControlTarget
        @Option(name: .short, help: "How many.") var n: Int = 1
        func run() async throws { try await target.send(.poolShrink(n)) }
    }

    struct Autoscale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a worker's pool scale between MIN and MAX by backlog.")
        @OptionGroup var target: ControlTarget
        @Argument var max: Int
        @Argument var min: Int
        func run() async throws { try await target.send(.autoscale(max: max, min: min)) }
    }

    struct Shutdown: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Warm shutdown: the worker finishes its running jobs and exits.")
        @OptionGroup var target: ControlTarget
        func run() async throws { try await target.send(.shutdown) }
    }

    struct AddConsumer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-consumer", abstract: "Make a worker consume one more queue (lowest priority).")
        @OptionGroup var target: ControlTarget
        @Argument var queue: String
        func run() async throws { try await target.send(.addConsumer(queue)) }
    }

    struct CancelConsumer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel-consumer", abstract: "Stop a worker consuming a queue.")
        @OptionGroup var target: ControlTarget
        @Argument var queue: String
        func run() async throws { try await target.send(.cancelConsumer(queue)) }
    }

    struct TimeLimit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "time-limit", abstract: "Set a task's soft and hard time limits on workers (0 clears).")
        @OptionGroup var redis: RedisOptions
        @Argument var task: String
        @Option var soft: Double = 0
        @Option var hard: Double = 0
        @Option(help: "Only this worker (default: all).") var worker: String?
        @Option var timeout: Double = 2
        func run() async throws {
            try await ControlGroup.send(.timeLimit(task: task, soft: soft, hard: hard), to: worker, redis: redis, timeout: timeout)
        }
    }

    struct RateLimitCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rate-limit",
            abstract: "Set a task's rate limit: 10/s, 100/m, 1000/h (0 removes it).",
            discussion: "Without --worker the limit holds across the whole fleet (a budget shared in Redis); with it, that worker only, as long as it runs.")
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Task name.") var task: String
        @Argument(help: "Runs per second, minute or hour: 10/s, 100/m, 1000/h; a bare number is per second; 0 (or empty text) removes the limit.") var rate: String
        @Option(help: "Only this worker (default: the whole fleet).") var worker: String?
        @Option(help: "Seconds to wait for the worker's reply (with --worker).") var timeout: Double = 2

        func run() async throws {
            let limit: RateLimit?
            do { limit = try RateLimit.parse(rate) } catch {
                FileHandle.standardError.write(Data("petal: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if let worker {
                try await ControlGroup.send(.rateLimit(task: task, rate: limit), to: worker, redis: redis, timeout: timeout)
                return
            }
            let client = try redis.client(.ofThisProcess())
            let reply = try await reportingErrors { try await client.setRateLimit(limit, for: task) }
            let back = reply.jobsPutBack > 0 ? " (\(reply.jobsPutBack) waiting job(s) planned again)" : ""
            print("\(task): \(limit.map { "fleet-wide rate limit \($0)" } ?? "no fleet-wide rate limit")\(reply.changed == 0 ? ", unchanged" : "")\(back)")
        }
    }
}
