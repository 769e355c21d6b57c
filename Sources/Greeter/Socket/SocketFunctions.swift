import Foundation
import Petal

/// The server functions a page may call over `/ws`, on behalf of one visitor. Each only awaits
/// the Petal client (its Redis calls run on the client's own threads), so no call blocks an event
/// loop or the cooperative pool. A visitor sees and touches only jobs in their own group: another
/// visitor's job answers `not_found`, exactly as a job that does not exist.
struct SocketFunctions: Sendable {
    let client: PetalClient
    /// Job records are read through the app's batcher (see `JobRecordBatcher`).
    let records: JobRecordBatcher
    /// `waitForJob` waits here for its job's notices.
    let waiters: JobNoticeWaiters
    let queue: String
    let visitor: String

    /// The names, for `unknown_function` messages and docs/API.md.
    static let names = ["startGreeting", "jobStatus", "myJobs", "revokeJob", "serverInfo", "waitForJob"]

    func call(_ call: SocketCall) async throws(SocketCallError) -> JSONValue {
        do throws(SocketCallError) {
            switch call.function {
            case "startGreeting": return try await startGreeting(call.args)
            case "jobStatus": return SocketJob.json(JobView(try await ownJob(call.args)))
            case "myJobs": return .array(try await myJobs().map(SocketJob.json))
            case "revokeJob": return try await revokeJob(call.args)
            case "serverInfo": return try await serverInfo()
            case "waitForJob": return try await waitForJob(call.args)
            default:
                throw SocketCallError(code: .unknownFunction,
                                      message: "There is no function '\(call.function.prefix(100))'; there are \(Self.names.joined(separator: ", ")).")
            }
        } catch {
            var failure = error
            failure.id = call.id
            throw failure
        }
    }

    /// `startGreeting {person, total}`: validated as the form is (`total` a number or its text);
    /// answers the new job.
    private func startGreeting(_ args: [String: JSONValue]) async throws(SocketCallError) -> JSONValue {
        let total: String
        switch args["total"] {
        case .number(let number)?: total = number.rounded() == number ? String(Int(saturating: number)) : String(number)
        case .string(let text)?: total = text
        default: total = ""
        }
        guard args["person"] == nil || args["person"]?.stringValue != nil else {
            throw SocketCallError(code: .badArguments, message: "\"person\" must be text.", fields: ["person": "Please enter a name."])
        }
        switch GreetForm(person: args["person"]?.stringValue ?? "", total: total).validate() {
        case .invalid(let errors):
            throw SocketCallError(code: .badArguments, message: errors.sorted { $0.key < $1.key }.map(\.value).joined(separator: " "), fields: errors)
        case .valid(let person, let steps):
            let id = try await guarded {
                try await client.enqueue(Greet.self, .init(person: person, total: steps), options: .init(queue: queue, group: visitor)).id
            }
            guard let job = try await guarded({ try await records.job(id) }) else {
                throw SocketCallError(code: .unavailable, message: "The job was started but could not be read back; try jobStatus.")
            }
            return SocketJob.json(JobView(job))
        }
    }

    private func myJobs() async throws(SocketCallError) -> [JobView] {
        let ids = try await guarded { try await client.groupJobIDs(visitor, limit: 20) }
        return try await guarded { try await client.jobs(ids) }.compactMap { $0.map(JobView.init) }
    }

    /// `revokeJob {id}`: cancels a waiting job, stops a running one; answers what happened and the job.
    private func revokeJob(_ args: [String: JSONValue]) async throws(SocketCallError) -> JSONValue {
        let job = try await ownJob(args)
        let outcome = try await guarded { try await client.revoke(job.id, terminate: true) }
        let now = try await guarded { try await records.job(job.id) } ?? job
        return ["outcome": .string(outcome.rawValue), "job": SocketJob.json(JobView(now))]
    }

    /// `serverInfo {}`: values only the server knows (the page binds them with `data-bind`).
    private func serverInfo() async throws(SocketCallError) -> JSONValue {
        let workers = try await guarded { try await client.workers() }.filter(\.online)
        let queued = try await guarded { try await client.queuedCount() }
        return ["workers": .number(Double(workers.count)), "queued": .number(Double(queued)),
                "busy": .number(Double(workers.reduce(0) { $0 + $1.active.count })),
                "time": .string(ISO8601DateFormatter().string(from: Date()))]
    }

    /// `waitForJob {id, timeout}`: answers once the job has finished, or after `timeout` seconds
    /// (default 30, at most 60) with the job as it is then. It holds one of the 16 call slots.
    private func waitForJob(_ args: [String: JSONValue]) async throws(SocketCallError) -> JSONValue {
        let job = try await ownJob(args)
        var timeout = 30.0
        if let given = args["timeout"] {
            guard let seconds = given.doubleValue, seconds.isFinite, seconds >= 0 else {
                throw SocketCallError(code: .badArguments, message: "\"timeout\" must be a number of seconds from 0 to 60.")
            }
            timeout = min(seconds, 60)
        }
        // Woken by the job's notices through the app's one subscription (`PetalClient.wait` would
        // open one per call); the record is read again on each, and at least once a second in case
        // a notice was lost. Ends as soon as the socket closes and cancels it.
        let deadline = Date().addingTimeInterval(timeout)
        var latest = job
        while !latest.state.isFinal, Date() < deadline, !Task.isCancelled {
            await waiters.nextNotice(about: job.id, within: min(1, deadline.timeIntervalSinceNow))
            latest = try await guarded { try await records.job(job.id) } ?? latest
        }
        return SocketJob.json(JobView(latest))
    }

    /// The visitor's job named by `args.id`; `not_found` for anyone else's.
    private func ownJob(_ args: [String: JSONValue]) async throws(SocketCallError) -> JobRecord {
        guard let id = args["id"]?.stringValue, !id.isEmpty else {
            throw SocketCallError(code: .badArguments, message: "\"id\" must be a job id (text).")
        }
        guard let job = try await guarded({ try await records.job(id) }), job.group == visitor else {
            throw SocketCallError(code: .notFound, message: "You have no job with id \(id.prefix(100)).")
        }
        return job
    }

    /// Redis trouble as an error reply with a code, never a dropped socket.
    private func guarded<T>(_ body: () async throws -> T) async throws(SocketCallError) -> T {
        do {
            return try await body()
        } catch let error as PetalError where error.isRedisOutOfMemory {
            throw SocketCallError(code: .full, message: "The job queue is full right now; nothing was started. Please try again later.")
        } catch let error as PetalError where error.isRedisUnavailable {
            throw SocketCallError(code: .unavailable, message: "The job queue is unreachable right now; please try again in a moment.")
        } catch let error as PetalError {
            if case .invalidRequest(let message) = error { throw SocketCallError(code: .badArguments, message: message) }
            throw SocketCallError(code: .unavailable, message: "The job queue could not take that right now; please try again in a moment.")
        } catch {
            throw SocketCallError(code: .internalError, message: "Something went wrong on our side.")
        }
    }
}
