import Hummingbird
import PetalWeb
import Petal

/// `/queues`: every queue with length, latency, consumers; purge (after a confirmation page),
/// pause and resume. Scheduled jobs and dead letters are counted beside them, and each task's rate
/// limits with the jobs waiting on them (set by `RateLimitsController`).
struct QueuesController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer

    struct Page: Sendable {
        let layout: Layout
        let queues: [Row]
        let hasQueues: Bool
        let scheduled: Int
        let deadLetters: Int
        let deadSamples: [String]
        let hasDeadSamples: Bool
        let rateLimits: [RateLimitRow]
        let hasRateLimits: Bool
        let taskNames: [String]
    }

    struct RateLimitRow: Sendable {
        let task: String
        let fleet: String
        let declared: String
        let workers: String
        let waiting: Int
        let nextSlot: String
    }

    struct Row: Sendable {
        let name: String
        let path: String
        let length: Int
        let latency: String
        let consumers: [Consumer]
        let hasConsumers: Bool
        let paused: Bool
    }

    struct Consumer: Sendable { let name: String; let link: String }

    struct ConfirmPage: Sendable {
        let layout: Layout
        let name: String
        let length: Int
        let path: String
    }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/queues", use: page)
        router.get("/queues/:name/purge", use: confirmPurge)
        // Each action has its own route: a constant path segment beats a parameter in the router.
        for action in ["purge", "pause", "resume"] {
            router.post("/queues/:name/\(action)") { request, context in try await act(action, context: context) }
        }
    }

    @Sendable func page(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let base = renderer.base
        let queues = try await client.queues()
        let dead = try await client.deadLetters(limit: 5)
        let limits = try await client.rateLimits()
        let now = Clock.now()
        let page = Page(
            layout: renderer.layout(request, context, title: "Queues", nav: "queues"),
            queues: queues.map { queue in
                Row(name: queue.name, path: base + "/queues/" + PageRenderer.encode(queue.name), length: queue.length,
                    latency: queue.length > 0 ? Format.duration(queue.latency) : "–",
                    consumers: queue.consumers.map { Consumer(name: $0, link: base + "/worker/" + PageRenderer.encode($0)) },
                    hasConsumers: !queue.consumers.isEmpty, paused: queue.paused)
            },
            hasQueues: !queues.isEmpty, scheduled: try await client.scheduledCount(),
            deadLetters: try await client.deadLetterCount(), deadSamples: dead.map { TaskRow.clip($0, to: 200) }, hasDeadSamples: !dead.isEmpty,
            rateLimits: limits.map { limit in
                RateLimitRow(task: limit.task, fleet: limit.fleet?.description ?? "–", declared: limit.declared?.description ?? "–",
                             workers: limit.workers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "),
                             waiting: limit.waiting, nextSlot: limit.nextSlot.map { "in " + Format.duration(max(0, $0 - now)) } ?? "–")
            },
            hasRateLimits: !limits.isEmpty, taskNames: try await client.taskNames())
        return try renderer.page(page, template: "monitor/queues")
    }

    @Sendable func confirmPurge(request: Request, context: MonitorRequestContext) async throws -> HTML {
        let name = try context.parameters.decoded("name")
        guard let queue = try await client.queues().first(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "No queue named \(name).")
        }
        let page = ConfirmPage(layout: renderer.layout(request, context, title: "Purge \(name)?", nav: "queues"),
                               name: name, length: queue.length, path: renderer.base + "/queues/" + PageRenderer.encode(name))
        return try renderer.page(page, template: "monitor/purge")
    }

    func act(_ action: String, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        guard try await client.queues().contains(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "No queue named \(name).")
        }
        switch action {
        case "purge":
            let purged = try await client.purge(queue: name)
            return renderer.redirect("/queues", notice: "Purged \(purged) job\(purged == 1 ? "" : "s") from \(name).")
        case "pause":
            try await client.pause(queue: name)
            return renderer.redirect("/queues", notice: "Paused \(name): workers leave its jobs waiting.")
        case "resume":
            try await client.resume(queue: name)
            return renderer.redirect("/queues", notice: "Resumed \(name).")
        default:
            throw HTTPError(.notFound, message: "No such action.")
        }
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension QueuesController.Page: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "queues": \.queues,
        "hasQueues": \.hasQueues,
        "scheduled": \.scheduled,
        "deadLetters": \.deadLetters,
        "deadSamples": \.deadSamples,
        "hasDeadSamples": \.hasDeadSamples,
        "rateLimits": \.rateLimits,
        "hasRateLimits": \.hasRateLimits,
        "taskNames": \.taskNames,
    ]
}

extension QueuesController.RateLimitRow: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "task": \.task,
        "fleet": \.fleet,
        "declared": \.declared,
        "workers": \.workers,
        "waiting": \.waiting,
        "nextSlot": \.nextSlot,
    ]
}

extension QueuesController.Row: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "path": \.path,
        "length": \.length,
        "latency": \.latency,
        "consumers": \.consumers,
        "hasConsumers": \.hasConsumers,
        "paused": \.paused,
    ]
}

extension QueuesController.Consumer: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "link": \.link,
    ]
}

extension QueuesController.ConfirmPage: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "name": \.name,
        "length": \.length,
        "path": \.path,
    ]
}
