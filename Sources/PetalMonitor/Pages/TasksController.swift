import Foundation
import Hummingbird
import Petal
import PetalWeb

/// `/tasks`: the history, newest first, filtered, searched, sorted and paged in Redis; bulk revoke.
struct TasksController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer
    /// Rows already rendered by `monitor/task_row`, kept by content (a few pages' worth).
    let renderedRows = RenderedRows<TaskRow>(capacity: 2_000)

    struct Page: Sendable {
        let layout: Layout
        /// The rows' `<tr>`s, already rendered (and escaped) by `monitor/task_row`.
        let rowsHTML: String
        let hasRows: Bool
        let columns: [Column]
        let pagination: Pagination
        let truncated: Bool
        let scanBudget: Int
        let states: [Choice]
        /// Text fields with suggestions, not lists: there may be hundreds of each.
        let taskName: String
        let taskNames: [String]
        let worker: String
        let queue: String
        let queueNames: [String]
        let pageSizes: [Choice]
        let search: String
        let receivedStart: String
        let receivedEnd: String
        let sortBy: String
        let returnTo: String
    }

    struct Choice: Sendable { let value: String; let label: String; let selected: Bool }
    struct Column: Sendable { let label: String; let link: String?; let sorted: String }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/tasks", use: page)
        router.post("/tasks/revoke", use: bulkRevoke)
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let parameters = request.formQuery
        let filter = try TaskFilter(parameters: parameters, defaultLimit: 15, maximumLimit: 100)
        let query = filter.query
        let answer = try await client.jobs(matching: query)
        let base = renderer.base
        // Every parameter but offset (for paging) and but sort_by (for column links).
        let kept: [(String, String?)] = [
            ("state", query.state?.rawValue), ("taskname", query.task), ("workername", query.worker), ("queue", query.queue),
            ("received_start", parameters["received_start"]), ("received_end", parameters["received_end"]),
            ("search", filter.searchText), ("limit", query.limit == 15 ? nil : String(query.limit)),
        ]
        let path = base + "/tasks" + QueryString.make(kept + [("sort_by", filter.sortBy == "-received" ? nil : filter.sortBy)])
        let columns: [(String, String?)] = [
            ("", nil), ("Name", "name"), ("UUID", "uuid"), ("State", "state"), ("Args", "args"), ("Kwargs", "kwargs"), ("Result", "result"),
            ("Received", "received"), ("Started", "started"), ("Runtime", "runtime"), ("Worker", "worker"), ("Queue", "queue"),
        ]
        let current = filter.sortBy.hasPrefix("-") ? String(filter.sortBy.dropFirst()) : filter.sortBy
        let page = Page(
            layout: renderer.layout(request, context, title: "Tasks", nav: "tasks"),
            rowsHTML: try answer.jobs.map { job in
                try renderedRows.html(TaskRow(job, base: base)) { try renderer.fragment($0, template: "monitor/task_row") }
            }.joined(),
            hasRows: !answer.jobs.isEmpty,
            columns: columns.map { label, key in
                guard let key else { return Column(label: label, link: nil, sorted: "none") }
                let isCurrent = key == current || (current == "received" && key == "started") || (current == "started" && key == "received")
                let next = isCurrent && filter.sortBy.hasPrefix("-") ? key : "-" + key
                return Column(label: label, link: base + "/tasks" + QueryString.make(kept + [("sort_by", next)]),
                              sorted: isCurrent ? (filter.sortBy.hasPrefix("-") ? "descending" : "ascending") : "none")
            },
            pagination: Pagination(path: path, offset: query.offset, limit: query.limit, shown: answer.jobs.count,
                                   total: answer.total, hasMore: answer.hasMore),
            truncated: answer.truncated, scanBudget: query.scanBudget,
            states: [Choice(value: "", label: "All", selected: query.state == nil)]
                + JobState.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0 == query.state) },
            taskName: query.task ?? "", taskNames: try await client.taskNames(),
            worker: query.worker ?? "",
            queue: query.queue ?? "", queueNames: try await client.queueNames(),
            pageSizes: TaskFilter.pageSizes.map { Choice(value: String($0), label: String($0), selected: $0 == query.limit) },
            search: filter.searchText,
            receivedStart: parameters["received_start"] ?? "", receivedEnd: parameters["received_end"] ?? "",
            sortBy: filter.sortBy,
            returnTo: String(path.dropFirst(base.count)))
        return try renderer.page(page, template: "monitor/tasks")
    }

    /// Revokes every ticked row; running ones are terminated when asked.
    @Sendable func bulkRevoke(request: Request, context: MonitorRequestContext) async throws -> Response {
        var request = request
        let pairs = FormBody.pairs(String(buffer: try await request.readBody(limit: 1_048_576)))
        let ids = pairs.filter { $0.0 == "id" }.map(\.1).filter { !$0.isEmpty }
        let terminate = pairs.contains { $0.0 == "terminate" && $0.1 == "1" }
        let back = Self.localPath(pairs.last { $0.0 == "return_to" }?.1) ?? "/tasks"
        guard !ids.isEmpty else { return renderer.redirect(back, problem: "Tick the tasks to revoke first.") }
        var revoked = 0
        for id in ids.prefix(1000) where try await client.revoke(id, terminate: terminate) != .unknown { revoked += 1 }
        return renderer.redirect(back, notice: "Revoked \(revoked) of \(ids.count) selected task\(ids.count == 1 ? "" : "s").")
    }

    /// Only a path on this app: never a redirect to another site.
    static func localPath(_ text: String?) -> String? {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\") else { return nil }
        return text
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension TasksController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "rowsHTML": \.rowsHTML,
        "hasRows": \.hasRows,
        "columns": \.columns,
        "pagination": \.pagination,
        "truncated": \.truncated,
        "scanBudget": \.scanBudget,
        "states": \.states,
        "taskName": \.taskName,
        "taskNames": \.taskNames,
        "worker": \.worker,
        "queue": \.queue,
        "queueNames": \.queueNames,
        "pageSizes": \.pageSizes,
        "search": \.search,
        "receivedStart": \.receivedStart,
        "receivedEnd": \.receivedEnd,
        "sortBy": \.sortBy,
        "returnTo": \.returnTo,
    ]
}

extension TasksController.Choice: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "value": \.value,
        "label": \.label,
        "selected": \.selected,
    ]
}

extension TasksController.Column: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "label": \.label,
        "link": \.link,
        "sorted": \.sorted,
    ]
}
