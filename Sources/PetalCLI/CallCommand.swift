import ArgumentParser
import Foundation
import Petal
import PetalCommandLine

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Enqueue a job and print its id.",
        discussion: "Arguments after the task name are JSON values when they parse as JSON, strings otherwise: `petal call add 2 3`, `petal call hello '\"Ann\"'`.")

    @OptionGroup var redis: RedisOptions

    @Argument(help: "Task name.") var task: String
    // .allUnrecognized so a negative number (`petal call add -1 2`) is a value, not an unknown option.
    @Argument(parsing: .allUnrecognized, help: "Positional arguments (JSON values or plain strings; negative numbers too).")
    var positional: [String] = []

    @Option(help: "Positional arguments as a JSON array (instead of the trailing arguments).") var args: String?
    @Option(help: "Keyword arguments as a JSON object.") var kwargs: String?
    @Option(help: "Queue.") var queue: String = "default"
    @Option(help: "Run no earlier than this many seconds from now.") var countdown: Double?
    @Option(help: "Run no earlier than this time (ISO 8601, e.g. 2026-11-22T10:00:00Z).") var eta: String?
    @Option(help: "Drop the job if not started within this many seconds.") var expires: Double?
    @Option(help: "Soft time limit in seconds.") var softTimeLimit: Double?
    @Option(help: "Hard time limit in seconds.") var timeLimit: Double?
    @Option(help: "Retries on failure, with exponential backoff.") var maxRetries: Int = 0
    @Option(help: "Group (user or session) the job belongs to.") var group: String?
    @Option(help: "A job id of your choosing (1 to 100 letters, digits, '.', '_', '-'): calling again with the same id creates no second job.")
    var id: String?

    func validate() throws {
        // What .allUnrecognized let through that is neither a value nor a negative number is a mistyped option.
        if let stray = positional.first(where: { $0.hasPrefix("-") && $0 != "-" && Double($0) == nil }) {
            throw ValidationError("unknown option '\(stray)' (a negative number is a value: petal call add -1 2)")
        }
    }

    func run() async throws {
        let argsValue: [JSONValue]
        if let args {
            let parsed: JSONValue
            do { parsed = try JSONValue(parsing: args) } catch { throw ValidationError("--args is \(error)") }
            guard case .array(let list) = parsed else { throw ValidationError("--args must be a JSON array, e.g. '[1, 2]'") }
            argsValue = list
        } else {
            argsValue = positional.map { (try? JSONValue(parsing: $0)) ?? .string($0) }
        }
        var kwargsValue: [String: JSONValue] = [:]
        if let kwargs {
            guard case .object(let map)? = try? JSONValue(parsing: kwargs) else { throw ValidationError("--kwargs must be a JSON object, e.g. '{\"x\": 1}'") }
            kwargsValue = map
        }
        var etaDate: Date?
        if let eta {
            guard let parsed = ISO8601DateFormatter().date(from: eta) else { throw ValidationError("--eta must be ISO 8601, e.g. 2026-11-22T10:00:00Z") }
            etaDate = parsed
        }
        let request = EnqueueRequest(task: task, args: argsValue, kwargs: kwargsValue, queue: queue, countdown: countdown,
                                     eta: etaDate, expiresIn: expires, softTimeLimit: softTimeLimit, timeLimit: timeLimit,
                                     maxRetries: maxRetries, group: group, id: id)
        let client = try redis.client(.ofThisProcess())
        let id = try await reportingErrors { try await client.enqueue(request) }
        print(id)
    }
}
