@testable import PetalMonitor
import Testing

@Suite("Rendered rows")
struct RenderedRowsTests {
    struct Row: Hashable, Sendable { let id: Int; let state: String }

    @Test func rendersEachDistinctRowOnce() {
        let rows = RenderedRows<Row>(capacity: 100)
        var renders = 0
        let render = { (row: Row) -> String in renders += 1; return "<tr>\(row.id) \(row.state)</tr>" }
        #expect(rows.html(Row(id: 1, state: "STARTED"), render: render) == "<tr>1 STARTED</tr>")
        #expect(rows.html(Row(id: 1, state: "STARTED"), render: render) == "<tr>1 STARTED</tr>")
        #expect(renders == 1)
        // A row whose content changed is a new row: never the old HTML.
        #expect(rows.html(Row(id: 1, state: "SUCCESS"), render: render) == "<tr>1 SUCCESS</tr>")
        #expect(renders == 2)
    }

    @Test func staysWithinItsCapacityAndKeepsRowsInUse() {
        let rows = RenderedRows<Row>(capacity: 10)
        var renders = 0
        for id in 0..<1000 {
            _ = rows.html(Row(id: id, state: "x")) { _ in renders += 1; return "" }
            _ = rows.html(Row(id: 0, state: "x")) { _ in renders += 1; return "" }  // shown with every page
            #expect(rows.count <= 10)
        }
        #expect(renders == 1000)  // row 0 rendered once, kept while in use
    }
}
