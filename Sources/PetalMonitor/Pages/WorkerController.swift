import Foundation
import Hummingbird
import Petal
import PetalWeb

/// `/worker/{name}`: one worker's pool, queues, tasks, limits and system; forms to grow and shrink
/// the pool, set autoscale bounds, add and cancel consumers, and shut it down (warm).
struct WorkerController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer

    struct Page: Sendable {
        let layout: Layout
        let name: String
        let path: String
        let status: String
        let online: Bool
        let heartbeatAge: String
        let concurrency: Int
        let autoscale: String
        let children: [Child]
        let queues: [String]
        let registered: [TaskCount]
        let active: [ActiveJob]
        let hasActive: Bool
        let scheduled: [ScheduledJob]
        let hasScheduled: Bool
        let limits: [Limit]
        let hasLimits: Bool
        let rateLimits: [RateLimitRow]
        let hasRateLimits: Bool
        let hostname: String
        /// The Redis the worker uses, without the password.
        let redis: String
        let pid: Int
        let rss: String
        let uptime: String
        let version: String
        let load: String
        let processed: Int
        let succeeded: Int
        let failed: Int
        let retried: Int
        let revoked: Int
        /// The queue-name rule as an HTML pattern, for the add-consumer box.
        let queuePattern = QueueName.htmlPattern
    }

    struct Child: Sendable { let pid: Int; let jobID: String?; let task: String?; let link: String?; let runningFor: String? }
    struct TaskCount: Sendable { let name: String; let finished: Int }
    struct ActiveJob: Sendable { let id: String; let link: String; let task: String; let pid: Int; let started: String; let args: String }
    struct ScheduledJob: Sendable { let id: String; let link: String; let task: String; let due: String; let queue: String }
    struct Limit: Sendable { let task: String; let soft: String; let hard: String }
    struct RateLimitRow: Sendable { let task: String; let rate: String }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/worker/:name", use: page)
        router.post("/worker/:name/:action", use: act)
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let name = try context.parameters.decoded("name")
        guard let worker = try await client.worker(name) else { throw HTTPError(.notFound, message: "No worker named \(name).") }
        let now = Clock.now()
        let base = renderer.base
        let activeRecords = try await client.jobs(worker.active.map(\.id))
        let byPid = Dictionary(worker.active.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        let scheduled = try await scheduledJobs(for: worker)
        let page = Page(
            layout: renderer.layout(request, context, title: "Worker \(name)", nav: "dashboard"),
            name: name, path: base + "/worker/" + PageRenderer.encode(name),
            status: worker.online ? (worker.shuttingDown ? "stopping" : "online") : "offline", online: worker.online,
            heartbeatAge: Format.age(worker.lastHeartbeat, now: now), concurrency: worker.concurrency,
            autoscale: worker.autoscaleMax.map { "min \(worker.autoscaleMin ?? 0), max \($0)" } ?? "off",
            children: worker.children.map { pid in
                let job = byPid[pid]
                return Child(pid: pid, jobID: job?.id, task: job?.task, link: job.map { base + "/task/" + PageRenderer.encode($0.id) },
                             runningFor: job.map { Format.duration(now - $0.started) })
            },
            queues: worker.queues,
            registered: worker.registered.map { TaskCount(name: $0, finished: worker.taskCounts[$0] ?? 0) },
            active: zip(worker.active, activeRecords).map { job, record in
                ActiveJob(id: job.id, link: base + "/task/" + PageRenderer.encode(job.id), task: job.task, pid: job.pid,
                          started: Format.timestamp(job.started), args: record.map { String($0.argsJSON.prefix(200)) } ?? "")
            },
            hasActive: !worker.active.isEmpty,
            scheduled: scheduled, hasScheduled: !scheduled.isEmpty,
            limits: worker.timeLimits.sorted { $0.key < $1.key }.map { task, limits in
                Limit(task: task, soft: limits.first.map { $0 > 0 ? Format.duration($0) : "none" } ?? "none",
                      hard: limits.dropFirst().first.map { $0 > 0 ? Format.duration($0) : "none" } ?? "none")
            },
            hasLimits: !worker.timeLimits.isEmpty,
            rateLimits: worker.rateLimits.sorted { $0.key < $1.key }.map { RateLimitRow(task: $0.key, rate: $0.value) },
            hasRateLimits: !worker.rateLimits.isEmpty,
            hostname: worker.hostname, redis: WorkerRow.redisText(worker), pid: worker.pid, rss: Format.megabytes(worker.rssBytes),
            uptime: worker.startedAt.map { Format.duration(now - $0) } ?? "", version: worker.version,
            load: Format.loadAverage(worker.loadAverage), processed: worker.processed, succeeded: worker.succeeded,
            failed: worker.failed, retried: worker.retried, revoked: worker.revoked)
        return try renderer.page(page, template: "monitor/worker")
    }

    /// Jobs due later on the queues this worker consumes.
    private func scheduledJobs(for worker: WorkerRecord) async throws -> [ScheduledJob] {
        let due = try await client.scheduledJobs(limit: 50)
        let records = try await client.jobs(due.map(\.id))
        return zip(due, records).compactMap { entry, record in
            guard let record, worker.queues.contains(record.queue) else { return nil }
            return ScheduledJob(id: entry.id, link: renderer.base + "/task/" + PageRenderer.encode(entry.id), task: record.task,
                                due: Format.timestamp(entry.due), queue: record.queue)
        }
    }

    @Sendable func act(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        let action = try context.parameters.decoded("action")
        var request = request
        let form = FormBody.parse(String(buffer: try await request.readBody(limit: 65_536)))
        let back = "/worker/" + PageRenderer.encode(name)
        let command: ControlCommand
        switch action {
        case "grow": command = .poolGrow(try Self.count(form["n"], "n"))
        case "shrink": command = .poolShrink(try Self.count(form["n"], "n"))
        case "autoscale":
            let max = try Self.count(form["max"], "max"), min = try Self.count(form["min"], "min", allowZero: true)
            guard min <= max else { throw HTTPError(.badRequest, message: "autoscale: min must not exceed max") }
            command = .autoscale(max: max, min: min)
        case "add-consumer": command = .addConsumer(try Self.queue(form["queue"]))
        case "cancel-consumer": command = .cancelConsumer(try Self.queue(form["queue"]))
        case "restart": command = .poolRestart
        case "rate-limit": command = .rateLimit(task: try Self.task(form["task"]), rate: try Self.rateLimit(form["rate"]))
        case "shutdown": command = .shutdown
        default: throw HTTPError(.notFound, message: "No action \(action).")
        }
        guard try await client.worker(name) != nil else { throw HTTPError(.notFound, message: "No worker named \(name).") }
        let replies = try await client.control(command, destination: [name], timeout: 2)
        guard let reply = replies.first else { return renderer.redirect(back, problem: "\(name) did not answer (offline?)") }
        if let error = reply.error { return renderer.redirect(back, problem: "\(name): \(error)") }
        return renderer.redirect(back, notice: "\(name): \(reply.ok?.stringValue ?? "done")")
    }

    static func count(_ text: String?, _ field: String, allowZero: Bool = false) throws(HTTPError) -> Int {
        guard let text, let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= (allowZero ? 0 : 1), value <= ControlCommand.maximumPoolSize else {
            throw HTTPError(.badRequest, message: "\(field) must be a whole number from \(allowZero ? 0 : 1) to \(ControlCommand.maximumPoolSize)")
        }
        return value
    }

    /// A task name from a form or API call.
    static func task(_ text: String?) throws(HTTPError) -> String {
        let name = text ?? ""
        do { try TaskName.validate(name) } catch { throw HTTPError(.badRequest, message: error.description) }
        return name
    }

    /// A rate limit from a form or API call (nil: none); a text that is no rate is refused saying why.
    static func rateLimit(_ text: String?) throws(HTTPError) -> RateLimit? {
        guard let text else { throw HTTPError(.badRequest, message: "rate is required: 10/s, 100/m, 1000/h, or 0 to remove the limit") }
        do { return try RateLimit.parse(text) } catch { throw HTTPError(.badRequest, message: error.description) }
    }

    /// A queue name from a form or API call, by Petal's one rule (`QueueName`).
    static func queue(_ text: String?) throws(HTTPError) -> String {
        let name = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard QueueName.isValid(name) else { throw HTTPError(.badRequest, message: QueueName.message(for: name)) }
        return name
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension WorkerController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "name": \.name,
        "path": \.path,
        "status": \.status,
        "online": \.online,
        "heartbeatAge": \.heartbeatAge,
        "concurrency": \.concurrency,
        "autoscale": \.autoscale,
        "children": \.children,
        "queues": \.queues,
        "registered": \.registered,
        "active": \.active,
        "hasActive": \.hasActive,
        "scheduled": \.scheduled,
        "hasScheduled": \.hasScheduled,
        "limits": \.limits,
        "hasLimits": \.hasLimits,
        "rateLimits": \.rateLimits,
        "hasRateLimits": \.hasRateLimits,
        "hostname": \.hostname,
        "redis": \.redis,
        "pid": \.pid,
        "rss": \.rss,
        "uptime": \.uptime,
        "version": \.version,
        "load": \.load,
        "processed": \.processed,
        "succeeded": \.succeeded,
        "failed": \.failed,
        "retried": \.retried,
        "revoked": \.revoked,
        "queuePattern": \.queuePattern,
    ]
}

extension WorkerController.Child: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "pid": \.pid,
        "jobID": \.jobID,
        "task": \.task,
        "link": \.link,
        "runningFor": \.runningFor,
    ]
}

extension WorkerController.TaskCount: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "finished": \.finished,
    ]
}

extension WorkerController.ActiveJob: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "id": \.id,
        "link": \.link,
        "task": \.task,
        "pid": \.pid,
        "started": \.started,
        "args": \.args,
    ]
}

extension WorkerController.ScheduledJob: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "id": \.id,
        "link": \.link,
        "task": \.task,
        "due": \.due,
        "queue": \.queue,
    ]
}

extension WorkerController.Limit: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "task": \.task,
        "soft": \.soft,
        "hard": \.hard,
    ]
}

extension WorkerController.RateLimitRow: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "task": \.task,
        "rate": \.rate,
    ]
}
