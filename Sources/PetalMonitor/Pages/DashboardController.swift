import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb
import Petal

/// `/`: workers, totals and history charts; `/live`: the same numbers as Server-Sent Events,
/// pushed whenever the event stream moves.
struct DashboardController: Sendable {
    /// The counters behind the cards and the charts drawn from them, read (and drawn) at most once
    /// a second.
    struct Numbers: Sendable {
        let totals: JobTotals
        let queued: Int
        let minuteChart: String
        let dayChart: String

        static func read(_ client: PetalClient) async throws -> Numbers {
            let minutes = try await client.stats(.minute, last: 60)
            let days = try await client.stats(.day, last: 30)
            return Numbers(
                totals: try await client.totals(), queued: try await client.queuedCount(),
                minuteChart: chart("Jobs per minute, last hour", minutes, label: { String(Format.timestamp($0.start).dropFirst(11).prefix(5)) }),
                dayChart: chart("Jobs per day, last 30 days", days, label: { String(Format.timestamp($0.start).dropFirst(5).prefix(5)) }))
        }
    }

    let workerTables: WorkerTables
    let numbers: RefreshingValue<Numbers>
    let renderer: PageRenderer
    let live: LiveUpdates
    /// Workers per page, as Sidekiq's process list.
    static let pageSize = 25

    struct Page: Sendable {
        let layout: Layout
        let totals: Totals
        /// The shown rows' `<tr>`s, already rendered (and escaped) by `monitor/worker_row`.
        let workerRows: String
        let hasWorkers: Bool
        let columns: [Column]
        let pagination: Pagination
        let minuteChart: String
        let dayChart: String
    }

    struct Column: Sendable {
        let label: String
        let link: String
        let sorted: String
    }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/", use: dashboard)
        router.get("/workers", use: dashboard)
        router.get("/live", use: liveStream)
    }

    @Sendable func dashboard(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let parameters = request.formQuery
        let sortKey = parameters["sort"].flatMap { $0.isEmpty ? nil : $0 } ?? "status"
        guard WorkerRow.sortKeys.contains(sortKey) else {
            throw HTTPError(.badRequest, message: "sort must be one of \(WorkerRow.sortKeys.joined(separator: ", ")), not '\(sortKey.prefix(40))'")
        }
        let order = parameters["order"].flatMap { $0.isEmpty ? nil : $0 } ?? "asc"
        guard order == "asc" || order == "desc" else { throw HTTPError(.badRequest, message: "order must be asc or desc, not '\(order.prefix(40))'") }
        let descending = order == "desc"
        guard let offset = Int(parameters["offset"].flatMap { $0.isEmpty ? nil : $0 } ?? "0"), (0...TaskFilter.maximumOffset).contains(offset) else {
            throw HTTPError(.badRequest, message: "offset must be a whole number from 0 to \(TaskFilter.maximumOffset)")
        }
        let (table, totals, numbers) = try await current()
        let shown = table.order(by: sortKey, descending: descending).dropFirst(offset).prefix(Self.pageSize)
        let workerRows = try shown.map { position in
            try table.html(row: position) { row in try renderer.fragment(row, template: "monitor/worker_row") }
        }
        let columns = WorkerRow.sortKeys.map { key in
            let next = key == sortKey && !descending ? "desc" : "asc"
            return Column(label: key == "load" ? "Load average" : key.capitalized,
                          link: renderer.base + "/" + QueryString.make([("sort", key), ("order", next)]),
                          sorted: key == sortKey ? (descending ? "descending" : "ascending") : "none")
        }
        let page = Page(
            layout: renderer.layout(request, context, title: "Dashboard", nav: "dashboard"),
            totals: totals, workerRows: workerRows.joined(), hasWorkers: !table.rows.isEmpty, columns: columns,
            pagination: Pagination(path: renderer.base + "/" + QueryString.make([("sort", sortKey), ("order", descending ? "desc" : nil)]),
                                   offset: offset, limit: Self.pageSize, shown: shown.count, total: table.rows.count, hasMore: false),
            minuteChart: numbers.minuteChart, dayChart: numbers.dayChart)
        return try renderer.page(page, template: "monitor/dashboard")
    }

    static func chart(_ title: String, _ buckets: [StatsBucket], label: (StatsBucket) -> String) -> String {
        SVGChart(title: title, labels: buckets.map(label), series: [
            .init(name: "processed", cssClass: "processed", values: buckets.map(\.processed)),
            .init(name: "failed", cssClass: "failed", values: buckets.map(\.failed)),
        ]).render()
    }

    /// The worker table and the cards, from the shared reads.
    private func current() async throws -> (WorkerTable, Totals, Numbers) {
        let (table, workers) = try await workerTables.table()
        let numbers = try await self.numbers.value()
        return (table, Totals(workers: workers, totals: numbers.totals, queued: numbers.queued), numbers)
    }

    /// `event: dashboard` with totals and worker rows, at most twice a second, whenever the event
    /// stream moves (heartbeats included, so ages stay fresh) and at least every 5 seconds.
    @Sendable func liveStream(request: Request, context: MonitorRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let live = self.live
        let controller = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (id, changes) = live.subscribe()
            defer { live.unsubscribe(id) }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    live.nudge(id)
                }
            }
            defer { ticker.cancel() }
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            try await writer.write(ByteBuffer(string: try await controller.event()))
            for await _ in changes {
                try await writer.write(ByteBuffer(string: (try? await controller.event()) ?? ": redis unavailable\n\n"))
                try await Task.sleep(for: .milliseconds(500))
            }
        })
    }

    private func event() async throws -> String {
        let (table, totals, _) = try await current()
        let payload: JSONValue = ["totals": totals.json, "workers": .array(table.rows.map(\.json))]
        return "event: dashboard\ndata: \(payload.jsonText)\n\n"
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension DashboardController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "totals": \.totals,
        "workerRows": \.workerRows,
        "hasWorkers": \.hasWorkers,
        "columns": \.columns,
        "pagination": \.pagination,
        "minuteChart": \.minuteChart,
        "dayChart": \.dayChart,
    ]
}

extension DashboardController.Column: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "label": \.label,
        "link": \.link,
        "sorted": \.sorted,
    ]
}
