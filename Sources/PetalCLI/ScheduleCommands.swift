import ArgumentParser
import Foundation
import Petal
import PetalCommandLine

/// `petal schedule …`: periodic schedules at run time (the workers run them; docs/API.md).
struct ScheduleGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Periodic schedules the workers run: add, list, pause, resume, run now, remove.",
        subcommands: [Add.self, List.self, Pause.self, Resume.self, RunNow.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or replace a schedule: a cron expression in a time zone, or an interval.")
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Schedule name.") var name: String
        @Option(help: "Task to run.") var task: String
        @Option(help: "Positional arguments, a JSON array.") var args: String = "[]"
        @Option(help: "Keyword arguments, a JSON object.") var kwargs: String = "{}"
        @Option(help: "Queue.") var queue: String = "default"
        @Option(help: "Cron expression, five fields or an alias (@hourly, @daily…).") var cron: String?
        @Option(help: "IANA time zone of the cron expression.") var tz: String?
        @Option(help: "Interval instead of cron: 30s, 5m, 2h, 1d.") var every: String?
        @Option(help: "Ticks missed while no worker ran: skip or run_once.") var missed: String = "skip"

        func run() async throws {
            let request = ScheduleRequest(name: name, task: task, args: args, kwargs: kwargs, queue: queue, cron: cron, timeZone: tz,
                                          every: every, missed: missed)
            let client = try redis.client(.ofThisProcess())
            let created = try await reportingErrors { try await client.saveSchedule(try request.definition(), origin: "cli") }
            let record = try await reportingErrors { try await client.schedule(named: name) }
            let when = record?.paused == true ? "paused (resume to run it)" : "next run \(record?.next.map(ScheduleGroup.time) ?? "-")"
            print("\(name): \(created ? "created" : "replaced"), \(when)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules with their next and last runs.")
        @OptionGroup var redis: RedisOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try redis.client(.ofThisProcess())
            let schedules = try await reportingErrors { try await client.schedules() }
            if json { return printJSON(.array(schedules.map(\.json))) }
            if schedules.isEmpty { return print("no schedules") }
            for record in schedules {
                let state = record.paused ? "paused" : "next \(record.next.map(ScheduleGroup.time) ?? "-")"
                print("\(record.name)\t\(record.task)\t\(record.when)\t\(record.zoneName)\t\(state)\tlast \(record.last.map(ScheduleGroup.time) ?? "-")")
            }
        }
    }

    /// A schedule to act on by name.
    struct Target: ParsableArguments {
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Schedule name.") var name: String

        /// Runs `action`; exits 2 saying so when there is no such schedule.
        func act(_ done: String, _ action: @escaping (PetalClient, String) async throws -> Bool) async throws {
            let client = try redis.client(.ofThisProcess())
            guard try await reportingErrors({ try await action(client, name) }) else {
                FileHandle.standardError.write(Data("petal: no schedule named \(name)\n".utf8))
                throw ExitCode(2)
            }
            print("\(name): \(done)")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: no tick runs until it is resumed.")
        @OptionGroup var target: Target
        func run() async throws { try await target.act("paused") { try await $0.pauseSchedule($1) } }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a schedule from its next tick.")
        @OptionGroup var target: Target
        func run() async throws { try await target.act("resumed") { try await $0.resumeSchedule($1) } }
    }

    struct RunNow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Enqueue one job of a schedule now.")
        @OptionGroup var redis: RedisOptions
        @Argument(help: "Schedule name.") var name: String

        func run() async throws {
            let client = try redis.client(.ofThisProcess())
            guard let id = try await reportingErrors({ try await client.runSchedule(name) }) else {
                FileHandle.standardError.write(Data("petal: no schedule named \(name)\n".utf8))
                throw ExitCode(2)
            }
            print(id)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a schedule (the jobs it enqueued stay).")
        @OptionGroup var target: Target
        func run() async throws { try await target.act("removed") { try await $0.removeSchedule($1) } }
    }

    /// A moment as UTC ISO 8601 text.
    static func time(_ seconds: Double) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
    }
}
