import Hummingbird
import Petal
import PetalWeb

/// `/processes`: the Procfile runner's processes and formation, with +/- to scale a type while
/// it runs. Without a runner (the monitor was not started by `petal start`) it says so.
struct ProcessesController: Sendable {
    let runner: RunnerConnection?
    let renderer: PageRenderer

    struct Page: Sendable {
        let layout: Layout
        let connected: Bool
        let reason: String
        let processes: [RunnerConnection.Process]
        let types: [TypeRow]
    }

    struct TypeRow: Sendable { let type: String; let count: Int; let more: Int; let fewer: Int; let canShrink: Bool }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/processes", use: page)
        router.post("/processes/scale", use: scale)
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let layout = renderer.layout(request, context, title: "Processes", nav: "processes")
        guard let runner else {
            return try renderer.page(Page(layout: layout, connected: false, reason: "The monitor was not started by the Procfile runner (petal start), so there is no runner to show.", processes: [], types: []), template: "monitor/processes")
        }
        do {
            let status = try await runner.status()
            let types = status.formation.map { TypeRow(type: $0.type, count: $0.count, more: $0.count + 1, fewer: max(0, $0.count - 1), canShrink: $0.count > 0) }
            return try renderer.page(Page(layout: layout, connected: true, reason: "", processes: status.processes, types: types),
                                     template: "monitor/processes")
        } catch {
            return try renderer.page(Page(layout: layout, connected: false, reason: "The runner at \(runner.path) is not connected: \(error).",
                                          processes: [], types: []), template: "monitor/processes")
        }
    }

    @Sendable func scale(request: Request, context: MonitorRequestContext) async throws -> Response {
        guard let runner else { throw HTTPError(.notFound, message: "No runner is connected.") }
        var request = request
        let form = FormBody.parse(String(buffer: try await request.readBody(limit: 65_536)))
        let type = form["type"] ?? ""
        guard !type.isEmpty, type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw HTTPError(.badRequest, message: "type must be a process type from the Procfile")
        }
        guard let count = form["count"].flatMap({ Int($0) }), (0...100).contains(count) else {
            throw HTTPError(.badRequest, message: "count must be a whole number from 0 to 100")
        }
        do {
            _ = try await runner.scale(type, to: count)
            return renderer.redirect("/processes", notice: "Scaled \(type) to \(count).")
        } catch {
            return renderer.redirect("/processes", problem: "Could not scale \(type): \(error)")
        }
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension ProcessesController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "connected": \.connected,
        "reason": \.reason,
        "processes": \.processes,
        "types": \.types,
    ]
}

extension ProcessesController.TypeRow: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "type": \.type,
        "count": \.count,
        "more": \.more,
        "fewer": \.fewer,
        "canShrink": \.canShrink,
    ]
}
