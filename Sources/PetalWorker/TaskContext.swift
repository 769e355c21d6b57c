import Foundation
import Petal
import Synchronization

/// What a running task knows and can do: its arguments, progress reports, and the soft time limit.
public struct TaskContext: Sendable {
    public let jobID: String
    public let task: String
    public let args: [JSONValue]
    public let kwargs: [String: JSONValue]
    /// Attempts before this one.
    public let retries: Int
    public let group: String?
    let signals: TaskSignals

    /// Positional argument `index`, or the keyword argument `name`, or nil.
    public func argument(_ index: Int, _ name: String) -> JSONValue? {
        index < args.count ? args[index] : kwargs[name]
    }

    /// A number argument; throws `InvalidArguments` saying which one when it is missing or not a number.
    public func number(_ index: Int, _ name: String, default fallback: Double? = nil) throws -> Double {
        switch argument(index, name) {
        case .number(let value)?: return value
        case .string(let text)? where Double(text)?.isFinite == true: return Double(text)!
        case nil where fallback != nil: return fallback!
        case let other: throw InvalidArguments("\(name) must be a number, got \(other.map(\.jsonText) ?? "nothing")")
        }
    }

    /// A whole-number argument within `range` (a loop count, say): 1e300 or 2.5 is refused with
    /// the argument's name, never converted into a trap.
    public func wholeNumber(_ index: Int, _ name: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws -> Int {
        let value = try number(index, name, default: fallback.map(Double.init))
        guard let whole = Int(exactly: value), range.contains(whole) else {
            throw InvalidArguments("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
        return whole
    }

    public func string(_ index: Int, _ name: String, default fallback: String? = nil) throws -> String {
        switch argument(index, name) {
        case .string(let value)?: return value
        case nil where fallback != nil: return fallback!
        case let other: throw InvalidArguments("\(name) must be a string, got \(other.map(\.jsonText) ?? "nothing")")
        }
    }

    /// Reports progress (Celery's `update_state(state='PROGRESS', meta={current, total})`).
    /// Writes are throttled to about ten a second; the last one before the end always lands.
    public func progress(current: Double, total: Double, message: String? = nil) {
        signals.reportProgress(current: current, total: total, message: message)
    }

    /// True once the soft time limit has passed.
    public var softTimeLimitExceeded: Bool { signals.softLimitHit != nil }

    /// Throws `SoftTimeLimitExceeded` after the soft limit, or `CancellationError` if cancelled otherwise.
    /// Long loops call it between steps.
    public func checkpoint() throws {
        if let limit = signals.softLimitHit { throw SoftTimeLimitExceeded(limit: limit) }
        try Task.checkCancellation()
    }

    /// Sleeps, waking early with `SoftTimeLimitExceeded` when the soft limit passes.
    /// The time is clamped to 0 … ten years: Duration traps on an infinite or enormous number.
    public func sleep(seconds: Double) async throws {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), TimeBounds.longestInterval)
        do {
            try await Task.sleep(for: .seconds(bounded))
        } catch {
            try checkpoint()
            throw error
        }
        try checkpoint()
    }
}

/// The channel between a running task and its child's main thread: progress reports go out,
/// the soft-limit notice comes in.
final class TaskSignals: Sendable {
    private struct State {
        var softLimitHit: Double?
        var lastProgressWrite: Double = 0
        var pendingProgress: (Double, Double, String?)?
    }
    private let state = Mutex(State())
    private let mailbox: ChildMailbox

    init(mailbox: ChildMailbox) { self.mailbox = mailbox }

    var softLimitHit: Double? { state.withLock { $0.softLimitHit } }

    func markSoftLimit(_ limit: Double) { state.withLock { $0.softLimitHit = limit } }

    func reportProgress(current: Double, total: Double, message: String?) {
        let now = Clock.now()
        let send = state.withLock { state -> Bool in
            if now - state.lastProgressWrite >= 0.1 || current >= total {
                state.lastProgressWrite = now
                state.pendingProgress = nil
                return true
            }
            state.pendingProgress = (current, total, message)
            return false
        }
        if send { mailbox.post(.progress(current: current, total: total, message: message)) }
    }

    /// The report held back by throttling, if any: sent when the task ends so the last state lands.
    func takePendingProgress() -> (Double, Double, String?)? {
        state.withLock { state in
            defer { state.pendingProgress = nil }
            return state.pendingProgress
        }
    }
}
