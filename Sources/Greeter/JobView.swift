import Foundation
import Petal

/// A job as the greeter's pages and its status JSON show it: no tracebacks, friendly words.
public struct JobView: Sendable {
    public let id: String
    public let state: String
    public let current: Int
    public let total: Int
    public let percent: Int
    public let status: String
    public let result: String?
    public let failed: Bool
    public let done: Bool
    public let elapsed: String
    public let task: String

    public init(_ job: JobRecord) {
        id = job.id
        task = job.task
        state = job.state.rawValue
        let progress = job.progress
        // Saturating: progress numbers come from task code and Redis, and a wild one must not trap.
        total = Int(saturating: progress?.total ?? (job.task == GreeterTasks.expensiveGreet ? Self.requestedTotal(job) : 0))
        current = job.state == .success ? total : Int(saturating: progress?.current ?? 0)
        percent = job.state == .success ? 100 : min(100, max(0, Int(saturating: (progress?.fraction ?? 0) * 100)))
        done = job.state.isFinal
        failed = job.state == .failure || job.state == .revoked
        result = job.state == .success ? job.result.map { $0.stringValue ?? $0.jsonText } : nil
        status = Self.status(job.state, exception: job.exception)
        let end = job.finishedAt ?? Clock.now()
        elapsed = job.sent.map { String(format: "%.1f s", max(0, end - $0)) } ?? ""
    }

    /// `total` from the job's arguments, before the first progress report: kwargs, as `Greet` is
    /// enqueued, or the second positional argument, as older callers sent it.
    private static func requestedTotal(_ job: JobRecord) -> Double {
        if let total = (try? JSONValue(parsing: job.kwargsJSON))?["total"]?.doubleValue { return total }
        return (try? JSONValue(parsing: job.argsJSON))?.arrayValue.flatMap { $0.count > 1 ? $0[1].doubleValue : nil } ?? 0
    }

    /// A state in plain words, the same on every page, push and answer: a failure's kind (never
    /// its traceback), and a revoked job is cancelled, however it was stopped.
    static func status(_ state: JobState, exception: String?) -> String {
        switch state {
        case .pending, .received: "Waiting for a worker…"
        case .started: "Started"
        case .progress: "Working…"
        case .retry: "Something went wrong; trying again…"
        case .success: "Done"
        case .failure: friendly(exception)
        case .revoked: "This job was cancelled."
        }
    }

    /// The error's kind in plain words; never the traceback.
    static func friendly(_ exception: String?) -> String {
        guard let exception else { return "The job failed." }
        if exception.hasPrefix("TimeLimitExceeded") { return "The job took too long and was stopped." }
        if exception.hasPrefix("WorkerLostError") { return "The worker running the job stopped unexpectedly." }
        let message = exception.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return message.isEmpty ? "The job failed." : "The job failed: \(message.prefix(200))"
    }

    /// The /status JSON: id, state, current, total, status, and result once done.
    public var statusJSON: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "state": .string(state), "current": .number(Double(current)),
            "total": .number(Double(total)), "status": .string(status),
        ]
        if done { object["result"] = result.map(JSONValue.string) ?? .null }
        return .object(object)
    }
}
