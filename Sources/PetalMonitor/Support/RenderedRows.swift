import Synchronization

/// Table rows rendered once and kept by their content: a row whose every shown field is the same
/// renders to the same HTML, and a history row rarely changes once its job has finished, so the
/// task list renders only the rows it has not shown before (per-field lookups in swift-mustache
/// were most of the list's cost). The key is the row itself, so a row that changed is simply
/// new: nothing is ever shown stale. Bounded by two generations: when the newer one is full, the
/// older is dropped and rows still in use move up as they are shown again.
final class RenderedRows<Row: Hashable & Sendable>: Sendable {
    private struct Generations {
        var newer: [Row: String] = [:]
        var older: [Row: String] = [:]
    }

    private let generationSize: Int
    private let generations = Mutex(Generations())

    init(capacity: Int) { generationSize = max(1, capacity / 2) }

    func html(_ row: Row, render: (Row) throws -> String) rethrows -> String {
        let kept = generations.withLock { generations -> String? in
            if let html = generations.newer[row] { return html }
            guard let html = generations.older.removeValue(forKey: row) else { return nil }
            Self.keep(row, html, in: &generations, size: generationSize)
            return html
        }
        if let kept { return kept }
        let html = try render(row)
        generations.withLock { Self.keep(row, html, in: &$0, size: generationSize) }
        return html
    }

    var count: Int { generations.withLock { $0.newer.count + $0.older.count } }

    private static func keep(_ row: Row, _ html: String, in generations: inout Generations, size: Int) {
        if generations.newer.count >= size {
            generations.older = generations.newer
            generations.newer = [:]
        }
        generations.newer[row] = html
    }
}
