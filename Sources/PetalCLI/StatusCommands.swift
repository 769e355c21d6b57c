import ArgumentParser
import Foundation
import Petal
import PetalCommandLine

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a job's state, progress and result.")

    @OptionGroup var redis: RedisOptions
    @Argument(help: "Job id.") var id: String
    @Flag(help: "Print the whole record as JSON.") var json = false

    func run() async throws {
        let client = try redis.client(.ofThisProcess())
        guard let job = try await reportingErrors({ try await client.job(id) }) else {
            FileHandle.standardError.write(Data("petal: no job with id \(id)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            printJSON(JobJSON.object(job))
        } else {
            print(JobJSON.summary(job))
        }
    }
}

struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Print a job's result (JSON); exit 1 if it failed or was revoked, 3 if not finished in time.")

    @OptionGroup var redis: RedisOptions
    @Argument(help: "Job id.") var id: String
    @Option(help: "Seconds to wait for the job to finish.") var wait: Double = 0

    func run() async throws {
        let client = try redis.client(.ofThisProcess())
        guard let job = try await reportingErrors({ try await client.wait(for: id, timeout: max(0, wait)) }) else {
            FileHandle.standardError.write(Data("petal: no job with id \(id)\n".utf8))
            throw ExitCode(2)
        }
        switch job.state {
        case .success:
            print(job.resultJSON ?? "null")
        case .failure, .revoked:
            FileHandle.standardError.write(Data("\(job.state.rawValue): \(job.exception ?? "revoked")\n".utf8))
            throw ExitCode(1)
        default:
            FileHandle.standardError.write(Data("not finished: \(job.state.rawValue)\n".utf8))
            throw ExitCode(3)
        }
    }
}

/// Job records as JSON and as one line of text.
enum JobJSON {
    static func object(_ job: JobRecord) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(job.id), "task": .string(job.task), "queue": .string(job.queue), "state": .string(job.state.rawValue),
            "args": .string(job.argsJSON), "kwargs": .string(job.kwargsJSON), "retries": .number(Double(job.retries)),
            "max_retries": .number(Double(job.maxRetries)),
        ]
        let optionalNumbers: [(String, Double?)] = [
            ("sent", job.sent), ("received", job.received), ("started", job.started), ("succeeded", job.succeeded),
            ("failed", job.failed), ("retried", job.retried), ("revoked", job.revoked), ("runtime", job.runtime),
            ("eta", job.eta), ("expires", job.expires), ("soft_time_limit", job.softTimeLimit), ("time_limit", job.timeLimit),
            ("rate_slot", job.rateSlot),
        ]
        for (key, value) in optionalNumbers { object[key] = value.map(JSONValue.number) ?? .null }
        let optionalTexts: [(String, String?)] = [
            ("group", job.group), ("parent", job.parent), ("worker", job.worker), ("exception", job.exception),
            ("traceback", job.traceback), ("result", job.resultJSON),
        ]
        for (key, value) in optionalTexts { object[key] = value.map(JSONValue.string) ?? .null }
        if let progress = job.progress {
            object["progress"] = ["current": .number(progress.current), "total": .number(progress.total),
                                  "message": progress.message.map(JSONValue.string) ?? .null]
        }
        return .object(object)
    }

    static func summary(_ job: JobRecord) -> String {
        var line = "\(job.id) \(job.task) \(job.state.rawValue)"
        if let progress = job.progress {
            line += " \(Int(saturating: progress.current))/\(Int(saturating: progress.total))"
            if let fraction = progress.fraction { line += " (\(Int(saturating: fraction * 100))%)" }
        }
        if job.state == .success { line += " result=\(job.resultJSON ?? "null")" }
        if let exception = job.exception, job.state == .failure || job.state == .retry || job.state == .revoked { line += " error=\(exception)" }
        if let worker = job.worker { line += " worker=\(worker)" }
        if let slot = job.rateSlot {
            line += String(format: " waiting on its task's rate limit, slot in %.1fs", max(0, slot - Clock.now()))
        }
        return line
    }
}
