import Petal
import Synchronization

/// The dashboard's worker rows for one read of the worker list. With 200 workers, building,
/// sorting and rendering the rows on every request was most of the dashboard's cost, though they
/// change at most four times a second; a table is kept until the next read, and each order and
/// each row's HTML is made the first time a request needs it.
final class WorkerTable: Sendable {
    let rows: [WorkerRow]
    let generation: Int
    let builtAt: Double
    private let made = Mutex(Made())

    private struct Made {
        var orders: [String: [Int]] = [:]
        var html: [Int: String] = [:]
    }

    init(workers: [WorkerRecord], generation: Int, base: String, now: Double) {
        rows = workers.map { WorkerRow($0, base: base, now: now) }
        self.generation = generation
        builtAt = now
    }

    /// Row positions sorted by a column (see `WorkerRow.sortKeys`).
    func order(by key: String, descending: Bool) -> [Int] {
        let name = descending ? key + " desc" : key
        if let order = made.withLock({ $0.orders[name] }) { return order }
        let order = WorkerRow.sortedPositions(rows, by: key, descending: descending)
        made.withLock { $0.orders[name] = order }
        return order
    }

    /// One row's `<tr>`, rendered by `render` the first time it is shown.
    func html(row position: Int, render: (WorkerRow) throws -> String) rethrows -> String {
        if let html = made.withLock({ $0.html[position] }) { return html }
        let html = try render(rows[position])
        made.withLock { $0.html[position] = html }
        return html
    }
}

/// Hands out the current `WorkerTable`, building a new one when the worker list was read again or
/// the heartbeat ages it shows are older than the list's own freshness.
final class WorkerTables: Sendable {
    private let workerCache: WorkerCache
    private let base: String
    private let current = Mutex<WorkerTable?>(nil)
    private static let freshFor = 0.25

    init(workerCache: WorkerCache, base: String) {
        self.workerCache = workerCache
        self.base = base
    }

    func table() async throws -> (table: WorkerTable, workers: [WorkerRecord]) {
        let (generation, workers) = try await workerCache.snapshot()
        let now = Clock.now()
        let table = current.withLock { current -> WorkerTable in
            if let table = current, table.generation == generation, now - table.builtAt < Self.freshFor { return table }
            let table = WorkerTable(workers: workers, generation: generation, base: base, now: now)
            current = table
            return table
        }
        return (table, workers)
    }
}
