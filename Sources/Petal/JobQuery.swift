/// A question about the job history: filters, a search, an order and a page. Every filter maps to
/// an index of docs/PROTOCOL.md, so a page costs a bounded amount of work however long the history.
public struct JobQuery: Sendable, Equatable {
    public enum SortKey: String, Sendable, CaseIterable {
        /// When the job was sent (received and started follow it closely: Flower's `received`, `started`).
        case sent
        case name, state, queue, worker
        /// Fields no index orders: the newest `scanBudget` matching jobs are read and sorted in
        /// Redis, and the answer says `truncated` when there were more.
        case runtime, id, args, kwargs, result

        /// The job hash's field behind a key that has no index, nil for the indexed ones.
        public var unindexedField: String? {
            switch self {
            case .sent, .name, .state, .queue, .worker: nil
            case .runtime, .id, .args, .kwargs, .result: rawValue
            }
        }
    }

    public var state: JobState?
    public var task: String?
    public var worker: String?
    public var queue: String?
    /// Sent time range, seconds since 1970 (inclusive).
    public var sentAfter: Double?
    public var sentBefore: Double?
    public var search: JobSearch
    public var sortKey: SortKey
    public var descending: Bool
    public var offset: Int
    public var limit: Int
    /// At most this many records are examined when a field must be checked per job; the answer
    /// then says `truncated` and holds the newest matches found.
    public var scanBudget: Int

    public init(state: JobState? = nil, task: String? = nil, worker: String? = nil, queue: String? = nil,
                sentAfter: Double? = nil, sentBefore: Double? = nil, search: JobSearch = JobSearch(),
                sortKey: SortKey = .sent, descending: Bool = true, offset: Int = 0, limit: Int = 15, scanBudget: Int = 20_000) {
        self.state = state
        self.task = task
        self.worker = worker
        self.queue = queue
        self.sentAfter = sentAfter
        self.sentBefore = sentBefore
        self.search = search
        self.sortKey = sortKey
        self.descending = descending
        self.offset = offset
        self.limit = limit
        self.scanBudget = scanBudget
    }
}

/// One page of a `JobQuery`'s answer.
public struct JobPage: Sendable, Equatable {
    public var jobs: [JobRecord]
    /// How many jobs match in all, when that is known without scanning (filters on one index only).
    public var total: Int?
    /// Whether more matches follow this page.
    public var hasMore: Bool
    /// The scan budget ran out: older matches may exist beyond what was examined.
    public var truncated: Bool
}

/// Flower's task search language, the part that maps onto Petal's records: whitespace-separated
/// terms that must all match; `name:`, `state:`, `worker:`, `queue:` qualifiers filter exactly;
/// `args:`, `kwargs:`, `result:` and bare terms match a substring, case-insensitively. Quotes keep
/// spaces in a term.
public struct JobSearch: Sendable, Equatable {
    public enum Field: String, Sendable { case any, args, kwargs, result }
    public struct Term: Sendable, Equatable {
        public var field: Field
        public var text: String
        public init(field: Field, text: String) {
            self.field = field
            self.text = text
        }
    }

    public var terms: [Term] = []
    public var name: String?
    public var state: JobState?
    public var worker: String?
    public var queue: String?

    public init() {}

    public var isEmpty: Bool { terms.isEmpty && name == nil && state == nil && worker == nil && queue == nil }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        for word in Self.words(text) {
            guard let colon = word.firstIndex(of: ":"), colon != word.startIndex else {
                try add(.any, word)
                continue
            }
            let qualifier = word[..<colon].lowercased()
            let value = String(word[word.index(after: colon)...])
            guard !value.isEmpty else { throw ParseError(description: "\(qualifier): needs a value") }
            switch qualifier {
            case "name", "task": name = value
            case "state":
                guard let parsed = JobState(name: value) else {
                    throw ParseError(description: "unknown state \(value); one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = parsed
            case "worker": worker = value
            case "queue": queue = value
            case "args": try add(.args, value)
            case "kwargs": try add(.kwargs, value)
            case "result": try add(.result, value)
            default: try add(.any, word)
            }
        }
    }

    private mutating func add(_ field: Field, _ text: String) throws(ParseError) {
        terms.append(Term(field: field, text: text.lowercased()))
    }

    /// Splits on whitespace, keeping "quoted phrases" (and qualifier:"quoted values") whole.
    private static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle(); continue }
            if character.isWhitespace && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
