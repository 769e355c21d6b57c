import Hummingbird
import PetalWeb
import Petal

/// The task list's query parameters, shared by the Tasks page and GET /api/tasks (Flower's names:
/// limit, offset, sort_by, workername, taskname, state, received_start, received_end, search, plus
/// queue). Anything malformed is a 400 that says what is wrong.
struct TaskFilter: Sendable {
    static let pageSizes = [15, 30, 50, 100]
    /// Deeper than any history Petal keeps, and far from where offset + limit could overflow.
    static let maximumOffset = 1_000_000_000
    static let sortKeys: [String: JobQuery.SortKey] = [
        "received": .sent, "started": .sent, "sent": .sent, "timestamp": .sent,
        "name": .name, "state": .state, "queue": .queue, "worker": .worker,
        "runtime": .runtime, "uuid": .id, "args": .args, "kwargs": .kwargs, "result": .result,
    ]

    var query: JobQuery
    var searchText: String
    /// The sort_by value as given (e.g. "-received"), echoed back in links.
    var sortBy: String

    init(parameters: [String: String], defaultLimit: Int, maximumLimit: Int = 1000) throws(HTTPError) {
        query = JobQuery(limit: defaultLimit)
        searchText = parameters["search"] ?? ""
        sortBy = parameters["sort_by"].flatMap { $0.isEmpty ? nil : $0 } ?? "-received"
        if let text = Self.present(parameters["limit"]) {
            guard let limit = Int(text), (1...maximumLimit).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit must be a whole number from 1 to \(maximumLimit), not '\(text.prefix(40))'")
            }
            query.limit = limit
        }
        if let text = Self.present(parameters["offset"]) {
            guard let offset = Int(text), (0...Self.maximumOffset).contains(offset) else {
                throw HTTPError(.badRequest, message: "offset must be a whole number from 0 to \(Self.maximumOffset), not '\(text.prefix(40))'")
            }
            query.offset = offset
        }
        if let text = Self.present(parameters["state"]), text.lowercased() != "all" {
            guard let state = JobState(name: text) else {
                throw HTTPError(.badRequest, message: "state must be All or one of \(JobState.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            query.state = state
        }
        let descending = sortBy.hasPrefix("-")
        let key = descending ? String(sortBy.dropFirst()) : sortBy
        guard let sortKey = Self.sortKeys[key] else {
            throw HTTPError(.badRequest, message: "sort_by must be one of \(Self.sortKeys.keys.sorted().joined(separator: ", ")) (prefix - for descending), not '\(sortBy)'")
        }
        query.sortKey = sortKey
        query.descending = descending
        query.task = Self.present(parameters["taskname"])
        query.worker = Self.present(parameters["workername"])
        query.queue = Self.present(parameters["queue"])
        query.sentAfter = try Self.time(parameters, "received_start")
        query.sentBefore = try Self.time(parameters, "received_end").map { $0 + 59.999 }  // the whole end minute
        do {
            query.search = try JobSearch(parsing: searchText)
        } catch {
            throw HTTPError(.badRequest, message: "search: \(error.description)")
        }
    }

    private static func present(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func time(_ parameters: [String: String], _ name: String) throws(HTTPError) -> Double? {
        guard let text = present(parameters[name]) else { return nil }
        guard let seconds = Format.parseTime(text) else {
            throw HTTPError(.badRequest, message: "\(name) must look like 2026-01-31 14:05 (UTC, 1970 to 9999) or be seconds since 1970, not '\(text.prefix(40))'")
        }
        return seconds
    }
}

