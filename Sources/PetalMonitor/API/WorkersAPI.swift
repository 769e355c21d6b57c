import Hummingbird
import Synchronization
import Petal
import PetalWeb

/// Flower's worker endpoints: GET /api/workers, POST /api/worker/shutdown|pool/*|queue/*/{name}.
/// Controls go to the one worker and wait for its reply; a refusal is 403 with Flower's plain-text
/// "Failed to …" body.
struct WorkersAPI: Sendable {
    let client: PetalClient
    let workerCache: WorkerCache
    /// The full listing's JSON for one generation of the worker cache: built once, sent to all.
    private let listing = ListingMemo()

    private final class ListingMemo: Sendable {
        private let latest = Mutex<(generation: Int, text: String)?>(nil)
        func text(for generation: Int) -> String? { latest.withLock { $0?.generation == generation ? $0?.text : nil } }
        func keep(_ text: String, for generation: Int) { latest.withLock { $0 = (generation, text) } }
    }

    init(client: PetalClient, workerCache: WorkerCache) {
        self.client = client
        self.workerCache = workerCache
    }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/api/workers", use: workers)
        router.post("/api/worker/shutdown/:name", use: shutdown)
        router.post("/api/worker/pool/:action/:name", use: pool)
        router.post("/api/worker/queue/:action/:name", use: queue)
    }

    @Sendable func workers(request: Request, context: MonitorRequestContext) async throws -> Response {
        let arguments = try await APIArguments.read(request)
        // Heartbeats are current in Redis; `refresh` skips the monitor's quarter-second cache.
        let snapshot = try await workerCache.snapshot(refresh: try arguments.bool("refresh"))
        var workers = snapshot.value
        let filtered = arguments.string("workername") != nil
        if let name = arguments.string("workername") {
            workers = workers.filter { $0.name == name }
            guard !workers.isEmpty else { throw HTTPError(.notFound, message: "Unknown worker '\(name)'") }
        }
        if try arguments.bool("status") {
            return JSONResponse.ordered(workers.map { ($0.name, .bool($0.online)) })
        }
        if !filtered, let text = listing.text(for: snapshot.generation) { return JSONResponse.text(text) }
        // Every worker's running jobs in one round trip.
        let activeIDs = workers.flatMap { $0.active.map(\.id) }
        let records = activeIDs.isEmpty ? [] : try await client.jobs(activeIDs)
        var byID: [String: JobRecord] = [:]
        for record in records.compactMap({ $0 }) { byID[record.id] = record }
        let text = JSONResponse.orderedText(workers.map { worker in
            (worker.name, FlowerShapes.worker(worker, activeJobs: worker.active.map { byID[$0.id] }))
        })
        if !filtered { listing.keep(text, for: snapshot.generation) }
        return JSONResponse.text(text)
    }

    @Sendable func shutdown(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try await known(context)
        _ = try await client.broadcast(.shutdown, destination: [name])
        return JSONResponse.object(["message": "Shutting down!"])
    }

    @Sendable func pool(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try await known(context)
        let arguments = try await APIArguments.read(request)
        let action = try context.parameters.decoded("action")
        let (command, message): (ControlCommand, String)
        switch action {
        case "restart": (command, message) = (.poolRestart, "Restarting '\(name)' worker's pool")
        case "grow":
            let n = try arguments.int("n", default: 1, range: 1...ControlCommand.maximumPoolSize)
            (command, message) = (.poolGrow(n), "Growing '\(name)' worker's pool by \(n)")
        case "shrink":
            let n = try arguments.int("n", default: 1, range: 1...ControlCommand.maximumPoolSize)
            (command, message) = (.poolShrink(n), "Shrinking '\(name)' worker's pool by \(n)")
        case "autoscale":
            let min = try arguments.int("min", range: 0...ControlCommand.maximumPoolSize), max = try arguments.int("max", range: 1...ControlCommand.maximumPoolSize)
            guard min <= max else { throw HTTPError(.badRequest, message: "min must not exceed max") }
            (command, message) = (.autoscale(max: max, min: min), "Autoscaling '\(name)' worker (min=\(min), max=\(max))")
        default: throw HTTPError(.notFound, message: "Unknown pool action '\(action)'")
        }
        try await send(command, to: name, failure: "Failed to \(action.replacingOccurrences(of: "restart", with: "restart pool of")) '\(name)'")
        return JSONResponse.object(["message": .string(message)])
    }

    @Sendable func queue(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try await known(context)
        let arguments = try await APIArguments.read(request)
        guard let queue = arguments.string("queue") else { throw HTTPError(.badRequest, message: "queue is required") }
        let action = try context.parameters.decoded("action")
        let command: ControlCommand
        switch action {
        case "add-consumer": command = .addConsumer(try WorkerController.queue(queue))
        case "cancel-consumer": command = .cancelConsumer(try WorkerController.queue(queue))
        default: throw HTTPError(.notFound, message: "Unknown queue action '\(action)'")
        }
        let reply = try await send(command, to: name, failure: "Failed to \(action == "add-consumer" ? "add" : "cancel") consumer '\(queue)'")
        return JSONResponse.object(["message": reply.ok ?? .string("done")])
    }

    private func known(_ context: MonitorRequestContext) async throws -> String {
        let name = try context.parameters.decoded("name")
        guard let worker = try await client.worker(name), worker.online else {
            throw HTTPError(.notFound, message: "Unknown worker '\(name)'")
        }
        return name
    }

    @discardableResult
    private func send(_ command: ControlCommand, to name: String, failure: String) async throws -> ControlReply {
        let replies = try await client.control(command, destination: [name], timeout: 2)
        guard let reply = replies.first else { throw HTTPError(.forbidden, message: "\(failure): no reply") }
        if let error = reply.error { throw HTTPError(.forbidden, message: "\(failure): \(error)") }
        return reply
    }
}
