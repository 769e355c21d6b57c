/// A typed job: its id, and its result decoded as the task's `Output`.
public struct JobHandle<Task: TaskDeclaration>: Sendable {
    public let id: String
    let client: PetalClient

    public init(id: String, client: PetalClient) {
        self.id = id
        self.client = client
    }

    /// The record as it is now (nil once retention trimmed it).
    public func record() async throws(PetalError) -> JobRecord? { try await client.job(id) }

    /// Waits up to `timeout` seconds for the job to end and returns its result. Throws
    /// `JobResultError`: `.failed`/`.revoked` with the exception text, `.timedOut` with the state it
    /// was in, `.undecodableResult` when the stored result is not a `Task.Output`.
    public func result(timeout: Double) async throws(JobResultError) -> Task.Output {
        let record: JobRecord?
        do throws(PetalError) { record = try await client.wait(for: id, timeout: timeout) } catch { throw .petal(error) }
        guard let record else { throw .notFound(id: id) }
        switch record.state {
        case .success: return try Self.output(of: record)
        case .failure: throw .failed(id: id, exception: record.exception ?? "", traceback: record.traceback)
        case .revoked: throw .revoked(id: id, exception: record.exception)
        default: throw .timedOut(id: id, state: record.state)
        }
    }

    /// The stored result JSON decoded as `Task.Output` (a missing result reads as JSON null).
    static func output(of record: JobRecord) throws(JobResultError) -> Task.Output {
        let value: JSONValue
        do { value = try JSONValue(parsing: record.resultJSON ?? "null") } catch {
            throw .undecodableResult(id: record.id, reason: "result: \(error)")
        }
        do { return try JSONValueDecoder().decode(Task.Output.self, from: value) } catch {
            throw .undecodableResult(id: record.id, reason: CodingFailure.describe(error, root: "result"))
        }
    }
}

/// Why a typed job gave no result.
public enum JobResultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job ended FAILURE: `exception` is its stored "Type: message".
    case failed(id: String, exception: String, traceback: String?)
    /// The job was revoked (or expired, or purged) before it finished.
    case revoked(id: String, exception: String?)
    /// It had not ended when the timeout passed; `state` is where it was.
    case timedOut(id: String, state: JobState)
    /// No such job (never was, or trimmed by retention).
    case notFound(id: String)
    /// The job succeeded but its result does not fit the task's `Output` (the reason names the field).
    case undecodableResult(id: String, reason: String)
    /// Redis failed while waiting.
    case petal(PetalError)

    /// The job's final state, when it ended without a result.
    public var state: JobState? {
        switch self {
        case .failed: .failure
        case .revoked: .revoked
        case .timedOut(_, let state): state
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .failed(let id, let exception, _): "job \(id) failed: \(exception)"
        case .revoked(let id, let exception): "job \(id) was revoked" + (exception.map { ": \($0)" } ?? "")
        case .timedOut(let id, let state): "job \(id) had not finished in time (still \(state.rawValue))"
        case .notFound(let id): "no job with id \(id)"
        case .undecodableResult(let id, let reason): "job \(id) succeeded but its result does not decode: \(reason)"
        case .petal(let error): error.description
        }
    }
}
