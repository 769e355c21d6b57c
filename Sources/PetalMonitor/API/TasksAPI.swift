import Foundation
import Hummingbird
import Petal
import PetalWeb

/// Flower's task endpoints: list, info, result, types, queue lengths; apply, async-apply,
/// send-task; revoke, abort, time limits, rate limits.
struct TasksAPI: Sendable {
    let client: PetalClient

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/api/tasks", use: tasks)
        router.get("/api/task/types", use: types)
        router.get("/api/queues/length", use: queueLengths)
        router.get("/api/task/info/:id", use: info)
        router.get("/api/task/result/:id", use: result)
        router.post("/api/task/apply/:name", use: apply)
        router.post("/api/task/async-apply/:name", use: asyncApply)
        router.post("/api/task/send-task/:name", use: sendTask)
        router.post("/api/task/revoke/:id", use: revoke)
        router.post("/api/task/abort/:id", use: abort)
        router.post("/api/task/timeout/:name", use: timeLimits)
        router.post("/api/task/rate-limit/:name", use: rateLimit)
    }

    @Sendable func tasks(request: Request, context: MonitorRequestContext) async throws -> Response {
        let filter = try TaskFilter(parameters: request.formQuery, defaultLimit: 100)
        let page = try await client.jobs(matching: filter.query)
        let children = try await client.children(ofEach: page.jobs.map(\.id))
        // Keyed by id in the page's order, each entry in Flower's field order.
        var writer = JSONWriter(capacity: page.jobs.count * 900)
        writer.raw("{")
        for (index, job) in page.jobs.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.write(string: job.id)
            writer.raw(":")
            writer.write(object: FlowerShapes.task(job, children: children[index]))
        }
        writer.raw("}")
        return JSONResponse.written(writer)
    }

    @Sendable func types(request: Request, context: MonitorRequestContext) async throws -> Response {
        JSONResponse.object(["task-types": .array(try await client.taskNames().map { .string($0) })])
    }

    @Sendable func queueLengths(request: Request, context: MonitorRequestContext) async throws -> Response {
        let queues = try await client.queues()
        return JSONResponse.object(["active_queues": .array(queues.map { ["name": .string($0.name), "messages": .number(Double($0.length))] })])
    }

    @Sendable func info(request: Request, context: MonitorRequestContext) async throws -> Response {
        let job = try await record(context)
        return JSONResponse.ordered(FlowerShapes.task(job, children: try await client.children(of: job.id), withTaskID: true))
    }

    @Sendable func result(request: Request, context: MonitorRequestContext) async throws -> Response {
        let arguments = try await APIArguments.read(request)
        var job = try await record(context)
        if let timeout = try arguments.seconds("timeout"), !job.state.isFinal {
            job = try await client.wait(for: job.id, timeout: min(timeout, 300)) ?? job
        }
        return JSONResponse.ordered(Self.outcome(job))
    }

    /// `{"task-id", "state", "result"}` (+ "traceback" on failure), result only once ready.
    static func outcome(_ job: JobRecord) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("task-id", .string(job.id)), ("state", .string(job.state.rawValue))]
        if job.state == .success { fields.append(("result", job.result ?? .null)) }
        if job.state == .failure || job.state == .revoked {
            fields.append(("result", .string(job.exception ?? "")))
            fields.append(("traceback", job.traceback.map { .string($0) } ?? .null))
        }
        return fields
    }

    @Sendable func apply(request: Request, context: MonitorRequestContext) async throws -> Response {
        let arguments = try await APIArguments.read(request)
        let id = try await enqueue(context, arguments, requireRegistered: true)
        let timeout = try arguments.seconds("timeout") ?? 60
        let job = try await client.wait(for: id, timeout: min(timeout, 300))
        return JSONResponse.ordered(job.map(Self.outcome) ?? [("task-id", .string(id)), ("state", "PENDING")])
    }

    @Sendable func asyncApply(request: Request, context: MonitorRequestContext) async throws -> Response {
        let id = try await enqueue(context, try await APIArguments.read(request), requireRegistered: true)
        return JSONResponse.ordered([("task-id", .string(id)), ("state", "PENDING")])
    }

    @Sendable func sendTask(request: Request, context: MonitorRequestContext) async throws -> Response {
        let id = try await enqueue(context, try await APIArguments.read(request), requireRegistered: false)
        return JSONResponse.ordered([("task-id", .string(id)), ("state", "PENDING")])
    }

    /// Builds the job from Flower's apply body: args, kwargs, queue, countdown, eta, expires,
    /// soft_time_limit, time_limit, max_retries.
    private func enqueue(_ context: MonitorRequestContext, _ arguments: APIArguments, requireRegistered: Bool) async throws -> String {
        let name = try context.parameters.decoded("name")
        if requireRegistered, !(try await client.registeredTaskNames().contains(name)) {
            throw HTTPError(.notFound, message: "Unknown task '\(name)'")
        }
        let args = try arguments.json("args") ?? []
        let kwargs = try arguments.json("kwargs") ?? [:]
        guard case .array(let list) = args else { throw HTTPError(.badRequest, message: "args must be a JSON array") }
        guard case .object(let map) = kwargs else { throw HTTPError(.badRequest, message: "kwargs must be a JSON object") }
        var request = EnqueueRequest(task: name, args: list, kwargs: map, queue: try arguments.string("queue").map(WorkerController.queue) ?? "default")
        request.countdown = try arguments.seconds("countdown")
        if let eta = arguments.string("eta") {
            guard let seconds = Format.parseTime(String(eta.prefix(19))) else {
                throw HTTPError(.badRequest, message: "eta must look like 2026-01-31 14:05:00 (UTC, up to 9999-12-31), not '\(eta.prefix(40))'")
            }
            request.eta = Date(timeIntervalSince1970: seconds)
        }
        // A caller's own id makes a retried call safe: the job is created once (Celery's task_id).
        request.id = arguments.string("id") ?? arguments.string("task_id")
        if request.id == nil, arguments.has("id") || arguments.has("task_id") {
            throw HTTPError(.badRequest, message: "id must be 1 to 100 letters, digits, '.', '_' or '-', not empty")
        }
        request.expiresIn = try arguments.seconds("expires")
        request.softTimeLimit = try arguments.seconds("soft_time_limit")
        request.timeLimit = try arguments.seconds("time_limit")
        if arguments.string("max_retries") != nil { request.maxRetries = try arguments.int("max_retries", range: 0...1000) }
        return try await client.enqueue(request)
    }

    @Sendable func revoke(request: Request, context: MonitorRequestContext) async throws -> Response {
        let id = try context.parameters.decoded("id")
        let arguments = try await APIArguments.read(request)
        let terminate = try arguments.bool("terminate")
        let signal = (arguments.string("signal") ?? "SIGTERM").uppercased()
        guard ["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "TERM", "KILL", "INT", "QUIT", "HUP", "USR1", "USR2"].contains(signal) else {
            throw HTTPError(.badRequest, message: "signal must be a signal name such as SIGTERM or SIGKILL")
        }
        let outcome = try await client.revoke(id, terminate: terminate, signal: signal.hasPrefix("SIG") ? signal : "SIG" + signal)
        guard outcome != .unknown else { throw HTTPError(.notFound, message: "Unknown task '\(id)'") }
        return JSONResponse.object(["message": .string("Revoked '\(id)'")])
    }

    /// Petal has no AbortableTask: abort is a revoke without terminate (a waiting job never runs; a
    /// running one finishes).
    @Sendable func abort(request: Request, context: MonitorRequestContext) async throws -> Response {
        let id = try context.parameters.decoded("id")
        guard try await client.revoke(id) != .unknown else { throw HTTPError(.notFound, message: "Unknown task '\(id)'") }
        return JSONResponse.object(["message": .string("Aborted '\(id)'")])
    }

    @Sendable func timeLimits(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        let arguments = try await APIArguments.read(request)
        let soft = try arguments.seconds("soft"), hard = try arguments.seconds("hard")
        guard soft != nil || hard != nil else { throw HTTPError(.badRequest, message: "give soft and/or hard (seconds)") }
        let destination = arguments.string("workername").map { [$0] }
        let replies = try await client.control(.timeLimit(task: name, soft: soft ?? 0, hard: hard ?? 0), destination: destination, timeout: 2)
        guard !replies.isEmpty, replies.allSatisfy(\.succeeded) else {
            throw HTTPError(.forbidden, message: "Failed to set time limits: \(replies.compactMap(\.error).first ?? "no worker answered")")
        }
        return JSONResponse.object(["message": "time limits set successfully"])
    }

    /// Flower's rate-limit call, with its answers: without `workername` the limit holds across the
    /// whole fleet (set in Redis), with one it is that worker's own (a control command). Unknown
    /// task or worker: 404; a rate that is none: 403 "Failed to set rate limit", as a Celery
    /// worker's refusal reaches Flower.
    @Sendable func rateLimit(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        let arguments = try await APIArguments.read(request)
        guard arguments.values["ratelimit"] != nil else { throw HTTPError(.badRequest, message: "Missing argument ratelimit") }
        let text = arguments.string("ratelimit") ?? ""
        let workerName = arguments.string("workername")
        let known = try await client.taskNames().contains(name) ? true : try await client.registeredTaskNames().contains(name)
        guard known else {
            throw HTTPError(.notFound, message: "Unknown task '\(name)'")
        }
        if let workerName, try await client.worker(workerName)?.online != true {
            throw HTTPError(.notFound, message: "Unknown worker '\(workerName)'")
        }
        let rate: RateLimit?
        do { rate = try RateLimit.parse(text) } catch {
            throw HTTPError(.forbidden, message: "Failed to set rate limit: '\(error)'")
        }
        if let workerName {
            let replies = try await client.control(.rateLimit(task: name, rate: rate), destination: [workerName], timeout: 2)
            guard let reply = replies.first, reply.succeeded else {
                throw HTTPError(.forbidden, message: "Failed to set rate limit: '\(replies.first?.error ?? "\(workerName) did not answer")'")
            }
        } else {
            try await client.setRateLimit(rate, for: name)
        }
        return JSONResponse.object(["message": "new rate limit set successfully"])
    }

    private func record(_ context: MonitorRequestContext) async throws -> JobRecord {
        let id = try context.parameters.decoded("id")
        guard let job = try await client.job(id) else { throw HTTPError(.notFound, message: "Unknown task '\(id)'") }
        return job
    }
}
