import Foundation
import Hummingbird
import PetalWeb
import Petal

/// `/task/{id}`: every field of one job and its timeline; revoke, terminate and retry.
struct TaskController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer

    struct Page: Sendable {
        let layout: Layout
        let id: String
        let name: String
        let state: String
        let stateClass: String
        let fields: [Field]
        let args: String
        let kwargs: String
        let result: String?
        let exception: String?
        let traceback: String?
        let hasProgress: Bool
        let progressPercent: Int
        let progressText: String
        let timeline: [Step]
        let children: [Link]
        let hasChildren: Bool
        let revocable: Bool
        let running: Bool
        let path: String
    }

    struct Field: Sendable { let label: String; let value: String; let link: String? }
    struct Step: Sendable { let time: String; let what: String; let detail: String }
    struct Link: Sendable { let id: String; let link: String }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/task/:id", use: page)
        router.post("/task/:id/:action", use: act)
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let id = try context.parameters.decoded("id")
        guard let job = try await client.job(id) else { throw HTTPError(.notFound, message: "No task with id \(id).") }
        let base = renderer.base
        let children = try await client.children(of: id)
        let fraction = job.progress?.fraction ?? (job.state == .success ? 1 : 0)
        let page = Page(
            layout: renderer.layout(request, context, title: "Task \(job.task)", nav: "tasks"),
            id: job.id, name: job.task, state: job.state.rawValue, stateClass: job.state.rawValue.lowercased(),
            fields: Self.fields(job, base: base), args: job.argsJSON, kwargs: job.kwargsJSON, result: job.resultJSON,
            exception: job.exception, traceback: job.traceback,
            hasProgress: job.progress != nil, progressPercent: min(100, max(0, Int(saturating: (fraction * 100).rounded()))),
            progressText: job.progress.map { p in
                "\(Self.number(p.current)) of \(Self.number(p.total))" + (p.message.map { " – \($0)" } ?? "")
            } ?? "",
            timeline: Self.timeline(job), children: children.map { Link(id: $0, link: base + "/task/" + PageRenderer.encode($0)) },
            hasChildren: !children.isEmpty, revocable: !job.state.isFinal,
            running: job.state == .started || job.state == .progress,
            path: base + "/task/" + PageRenderer.encode(job.id))
        return try renderer.page(page, template: "monitor/task")
    }

    static func number(_ value: Double) -> String { Int(exactly: value).map(String.init) ?? String(value) }

    static func fields(_ job: JobRecord, base: String) -> [Field] {
        func field(_ label: String, _ value: String?, link: String? = nil) -> Field? {
            guard let value, !value.isEmpty else { return nil }
            return Field(label: label, value: value, link: link)
        }
        return [
            field("UUID", job.id), field("Name", job.task), field("State", job.state.rawValue), field("Queue", job.queue),
            field("Worker", job.worker, link: job.worker.map { base + "/worker/" + PageRenderer.encode($0) }),
            field("PID", job.pid.map(String.init)),
            field("Sent", Format.timestamp(job.sent)), field("Received", Format.timestamp(job.received)),
            field("Started", Format.timestamp(job.started)), field("Succeeded", Format.timestamp(job.succeeded)),
            field("Failed", Format.timestamp(job.failed)), field("Retried", Format.timestamp(job.retried)),
            field("Revoked", Format.timestamp(job.revoked)), field("ETA", Format.timestamp(job.eta)),
            field("Expires", Format.timestamp(job.expires)), field("Runtime", Format.duration(job.runtime)),
            field("Retries", "\(job.retries) of at most \(job.maxRetries)"),
            field("Deliveries", String(job.deliveries)), field("Redeliveries", job.redeliveries > 0 ? String(job.redeliveries) : nil),
            field("Soft time limit", job.softTimeLimit.map { Format.duration($0) }),
            field("Hard time limit", job.timeLimit.map { Format.duration($0) }),
            field("Group", job.group), field("Parent", job.parent, link: job.parent.map { base + "/task/" + PageRenderer.encode($0) }),
            field("Revoke requested", job.revokeRequested),
            field("Schedule", job.schedule, link: job.schedule.map { base + "/schedules#schedule-" + PageRenderer.encode($0) }),
            field("Schedule tick", Format.timestamp(job.scheduleTick)),
            field("Rate limit slot", job.rateSlot.map { "waits on its task's rate limit until \(Format.timestamp($0))" }),
        ].compactMap { $0 }
    }

    /// The job's life from its record's timestamps, in order.
    static func timeline(_ job: JobRecord) -> [Step] {
        var steps: [(Double, String, String)] = []
        if let sent = job.sent { steps.append((sent, "sent", "to queue \(job.queue)")) }
        if let eta = job.eta { steps.append((eta, "due", "ETA / countdown")) }
        if let started = job.started { steps.append((started, "started", [job.worker, job.pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: ", "))) }
        if let retried = job.retried { steps.append((retried, "retried", "attempt \(job.retries) failed")) }
        if let succeeded = job.succeeded { steps.append((succeeded, "succeeded", job.runtime.map { "in \(Format.duration($0))" } ?? "")) }
        if let failed = job.failed { steps.append((failed, "failed", job.exception ?? "")) }
        if let revoked = job.revoked { steps.append((revoked, "revoked", job.exception ?? "")) }
        return steps.sorted { $0.0 < $1.0 }.map { Step(time: Format.timestamp($0.0), what: $0.1, detail: TaskRow.clip($0.2, to: 160)) }
    }

    @Sendable func act(request: Request, context: MonitorRequestContext) async throws -> Response {
        let id = try context.parameters.decoded("id")
        let back = "/task/" + PageRenderer.encode(id)
        switch try context.parameters.decoded("action") {
        case "revoke", "terminate":
            let terminate = try context.parameters.decoded("action") == "terminate"
            let outcome = try await client.revoke(id, terminate: terminate)
            let message = switch outcome {
            case .unknown: throw HTTPError(.notFound, message: "No task with id \(id).")
            case .finished: "The task had already finished."
            case .revoked: "Revoked: it will never run."
            case .running: terminate ? "Terminating the running task." : "Revoked; it runs to its end since it had started."
            }
            return renderer.redirect(back, notice: message)
        case "retry":
            let copy = try await client.retry(copyOf: id)
            return renderer.redirect("/task/" + PageRenderer.encode(copy), notice: "A copy of \(id) was enqueued.")
        default:
            throw HTTPError(.notFound, message: "No such action.")
        }
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension TaskController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "id": \.id,
        "name": \.name,
        "state": \.state,
        "stateClass": \.stateClass,
        "fields": \.fields,
        "args": \.args,
        "kwargs": \.kwargs,
        "result": \.result,
        "exception": \.exception,
        "traceback": \.traceback,
        "hasProgress": \.hasProgress,
        "progressPercent": \.progressPercent,
        "progressText": \.progressText,
        "timeline": \.timeline,
        "children": \.children,
        "hasChildren": \.hasChildren,
        "revocable": \.revocable,
        "running": \.running,
        "path": \.path,
    ]
}

extension TaskController.Field: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "label": \.label,
        "value": \.value,
        "link": \.link,
    ]
}

extension TaskController.Step: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "time": \.time,
        "what": \.what,
        "detail": \.detail,
    ]
}

extension TaskController.Link: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "id": \.id,
        "link": \.link,
    ]
}
