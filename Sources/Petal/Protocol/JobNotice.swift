import PetalRedis

/// A pub/sub notice about a job (docs/PROTOCOL.md), published by the library's functions on the
/// job's channel and its group's when it is enqueued (group jobs), starts, reports progress, goes
/// back to its queue or ends. The field names are here and in prelude.lua's `notify`, nowhere else.
public struct JobNotice: Sendable, Equatable {
    public var id: String
    public var task: String
    public var state: JobState
    /// The job's group, "" when it has none (the field is always there).
    public var group: String
    /// When it was published (seconds since 1970).
    public var time: Double
    /// Progress, with PROGRESS.
    public var current: Double?
    public var total: Double?
    public var message: String?
    /// The result as JSON text, with SUCCESS when at most 4 KiB.
    public var resultJSON: String?
    /// With FAILURE, RETRY and REVOKED: "Type: message".
    public var exception: String?

    public init(id: String, task: String, state: JobState, group: String = "", time: Double, current: Double? = nil,
                total: Double? = nil, message: String? = nil, resultJSON: String? = nil, exception: String? = nil) {
        self.id = id
        self.task = task
        self.state = state
        self.group = group
        self.time = time
        self.current = current
        self.total = total
        self.message = message
        self.resultJSON = resultJSON
        self.exception = exception
    }

    private enum Field: String { case id, task, state, group, ts, current, total, message, result, exception }

    /// Reads a notice; nil for text that is not one (no id, or no known state).
    public init?(json text: String) {
        guard let value = try? JSONValue(parsing: text), let id = value[Field.id.rawValue]?.stringValue,
              let state = value[Field.state.rawValue]?.stringValue.flatMap(JobState.init(rawValue:)) else { return nil }
        self.init(id: id, task: value[Field.task.rawValue]?.stringValue ?? "", state: state,
                  group: value[Field.group.rawValue]?.stringValue ?? "", time: value[Field.ts.rawValue]?.doubleValue ?? 0,
                  current: value[Field.current.rawValue]?.doubleValue, total: value[Field.total.rawValue]?.doubleValue,
                  message: value[Field.message.rawValue]?.stringValue, resultJSON: value[Field.result.rawValue]?.stringValue,
                  exception: value[Field.exception.rawValue]?.stringValue)
    }

    /// The notice as JSON, in the protocol's form (for passing it on, as the greeter's live list does).
    public var json: String {
        var object: [String: JSONValue] = [
            Field.id.rawValue: .string(id), Field.task.rawValue: .string(task), Field.state.rawValue: .string(state.rawValue),
            Field.group.rawValue: .string(group), Field.ts.rawValue: .number(time),
        ]
        object[Field.current.rawValue] = current.map(JSONValue.number)
        object[Field.total.rawValue] = total.map(JSONValue.number)
        object[Field.message.rawValue] = message.map(JSONValue.string)
        object[Field.result.rawValue] = resultJSON.map(JSONValue.string)
        object[Field.exception.rawValue] = exception.map(JSONValue.string)
        return JSONValue.object(object).jsonText
    }
}

/// What a notice subscription delivers.
public enum JobNoticeEvent: Sendable, Equatable {
    case notice(JobNotice)
    /// Redis confirmed the subscription: every notice published from now on arrives. Once, first.
    case subscribed
    /// The connection was lost and is back: notices in between were missed, so re-read the records.
    case resubscribed
}

/// Notices as an async sequence, on a Redis connection and thread of their own (stopped when the
/// sequence is dropped or its task cancelled). Text that is not a notice is skipped.
public struct JobNotices: AsyncSequence, Sendable {
    public typealias Element = JobNoticeEvent
    let subscription: RedisSubscription

    public struct AsyncIterator: AsyncIteratorProtocol {
        var messages: AsyncStream<RedisPushMessage>.Iterator

        public mutating func next() async -> JobNoticeEvent? {
            while let message = await messages.next() {
                switch message {
                case .message(_, let payload, _): if let notice = JobNotice(json: payload) { return .notice(notice) }
                case .subscribed: return .subscribed
                case .resubscribed: return .resubscribed
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(messages: subscription.makeAsyncIterator()) }
}
