import PetalRedis

/// `petal_query`: chooses a page of the job history's ids (read only). The client decides which
/// indexes to walk (`segments`) and how (`mode`); see `PetalClient.jobs(matching:)`.
public struct QueryCall: PetalCall {
    public static let function = PetalFunction.query

    public enum Mode: Sendable, Equatable {
        /// Every segment in turn (one index of every job).
        case all
        /// Only the smallest segment (candidates that each hold every match).
        case smallest
        /// Every segment in turn, in the order given (a sort by an indexed field).
        case ordered
        /// The smallest segment newest first, the matches sorted by this record field.
        case field(String)

        var text: String {
            switch self {
            case .all: "all"
            case .smallest: "smallest"
            case .ordered: "ordered"
            case .field(let name): "field:" + name
            }
        }
    }

    public var descending = true
    /// Sent time range (inclusive); nil = open.
    public var sentAfter: Double?
    public var sentBefore: Double?
    public var offset = 0
    public var limit = 15
    /// Records examined at most when fields must be checked.
    public var scanBudget = 20_000
    /// No field needs checking: the segments are the answer (one read of one range, and a total).
    public var exact = false
    public var state: JobState?
    public var task: String?
    public var worker: String?
    public var queue: String?
    public var terms: [JobSearch.Term] = []
    public var mode = Mode.all
    public var segments: [String] = []

    public init() {}

    public var arguments: [RedisArgument] {
        var arguments: [RedisArgument] = [
            descending ? "desc" : "asc",
            RedisArgument(sentAfter.map(Clock.text) ?? "-inf"), RedisArgument(sentBefore.map(Clock.text) ?? "+inf"),
            RedisArgument(max(0, offset)), RedisArgument(max(1, limit)), RedisArgument(max(1, scanBudget)), exact ? "1" : "0",
            RedisArgument(state?.rawValue ?? ""), RedisArgument(task ?? ""), RedisArgument(worker ?? ""), RedisArgument(queue ?? ""),
            RedisArgument(terms.count),
        ]
        for term in terms { arguments += [RedisArgument(term.field.rawValue), RedisArgument(term.text)] }
        arguments.append(RedisArgument(mode.text))
        arguments += segments.map { RedisArgument($0) }
        return arguments
    }

    public struct Page: Sendable, Equatable {
        public var ids: [String]
        /// All matches, when known without scanning.
        public var total: Int?
        public var hasMore: Bool
        /// The scan budget ran out before the page was full.
        public var truncated: Bool
    }

    public static func decode(_ reply: RedisValue) throws(RedisError) -> Page {
        let values = try reply.expectArray(from: function)
        guard values.count >= 3, let total = values[0].int else { throw .unexpectedReply("\(function.redisName): short reply") }
        return Page(ids: values.dropFirst(3).compactMap(\.string), total: total >= 0 ? total : nil,
                    hasMore: values[1].int == 1, truncated: values[2].int == 1)
    }
}
