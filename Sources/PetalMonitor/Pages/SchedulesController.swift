import Hummingbird
import Petal
import PetalWeb

/// `/schedules`: the periodic schedules with their timing, next and last run (linked to its job,
/// with the job's state); pause, resume, run now and remove as POST forms.
struct SchedulesController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer

    struct Page: Sendable {
        let layout: Layout
        let schedules: [Row]
        let hasSchedules: Bool
    }

    struct Row: Sendable {
        let name: String
        let anchor: String
        let path: String
        let task: String
        let queue: String
        let when: String
        let zone: String
        let next: String
        let last: String
        let lastJobLink: String?
        let lastJobState: String?
        let lastJobStateClass: String
        let origin: String
        let paused: Bool
    }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/schedules", use: page)
        // Each action has its own route: a constant path segment beats a parameter in the router.
        for action in ["pause", "resume", "run", "remove"] {
            router.post("/schedules/:name/\(action)") { request, context in try await act(action, context: context) }
        }
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let base = renderer.base
        let schedules = try await client.schedules()
        let lastJobs = try await client.jobs(schedules.compactMap(\.lastJob))
        var states: [String: JobState] = [:]
        for job in lastJobs.compactMap({ $0 }) { states[job.id] = job.state }
        let page = Page(
            layout: renderer.layout(request, context, title: "Schedules", nav: "schedules"),
            schedules: schedules.map { record in
                let encoded = PageRenderer.encode(record.name)
                let state = record.lastJob.flatMap { states[$0] }
                return Row(name: record.name, anchor: "schedule-" + encoded, path: base + "/schedules/" + encoded, task: record.task,
                           queue: record.queue, when: record.when, zone: record.zoneName,
                           next: record.paused ? "paused" : Format.timestamp(record.next),
                           last: record.last.map { Format.timestamp($0) } ?? "never",
                           lastJobLink: record.lastJob.map { base + "/task/" + PageRenderer.encode($0) },
                           lastJobState: record.lastJob.map { _ in state?.rawValue ?? "trimmed" },
                           lastJobStateClass: state?.rawValue.lowercased() ?? "", origin: record.origin, paused: record.paused)
            },
            hasSchedules: !schedules.isEmpty)
        return try renderer.page(page, template: "monitor/schedules")
    }

    func act(_ action: String, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        let found: Bool
        var notice = ""
        switch action {
        case "pause":
            found = try await client.pauseSchedule(name)
            notice = "Paused \(name): no tick runs until it is resumed."
        case "resume":
            found = try await client.resumeSchedule(name)
            notice = "Resumed \(name)."
        case "run":
            let id = try await client.runSchedule(name)
            found = id != nil
            notice = "Enqueued \(name) now: job \(id ?? "")."
        case "remove":
            found = try await client.removeSchedule(name)
            notice = "Removed \(name)."
        default:
            throw HTTPError(.notFound, message: "No such action.")
        }
        guard found else { throw HTTPError(.notFound, message: "No schedule named \(name).") }
        return renderer.redirect("/schedules", notice: notice)
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension SchedulesController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "schedules": \.schedules,
        "hasSchedules": \.hasSchedules,
    ]
}

extension SchedulesController.Row: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "anchor": \.anchor,
        "path": \.path,
        "task": \.task,
        "queue": \.queue,
        "when": \.when,
        "zone": \.zone,
        "next": \.next,
        "last": \.last,
        "lastJobLink": \.lastJobLink,
        "lastJobState": \.lastJobState,
        "lastJobStateClass": \.lastJobStateClass,
        "origin": \.origin,
        "paused": \.paused,
    ]
}
