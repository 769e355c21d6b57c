import Hummingbird
import Petal
import PetalWeb

/// The schedules' JSON API: list, create or replace, pause, resume, run now, remove. The fields of
/// `POST /api/schedules` are those of `petal schedule add` (docs/API.md).
struct SchedulesAPI: Sendable {
    let client: PetalClient

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/api/schedules", use: list)
        router.post("/api/schedules", use: save)
        router.delete("/api/schedules/:name", use: remove)
        for action in ["pause", "resume", "run"] {
            router.post("/api/schedules/:name/\(action)") { request, context in try await act(action, context: context) }
        }
    }

    @Sendable func list(request: Request, context: MonitorRequestContext) async throws -> Response {
        JSONResponse.object(.array(try await client.schedules().map(\.json)))
    }

    @Sendable func save(request: Request, context: MonitorRequestContext) async throws -> Response {
        let arguments = try await APIArguments.read(request)
        /// args and kwargs as JSON (an array, an object) or as JSON text.
        func jsonText(_ name: String) throws(HTTPError) -> String? { try arguments.json(name)?.jsonText }
        try arguments.only(["name", "task", "args", "kwargs", "queue", "cron", "tz", "timezone", "every", "missed"],
                           hint: " (pause, resume and run with POST /api/schedules/{name}/pause, /resume, /run)")
        guard let name = try arguments.text("name") else { throw HTTPError(.badRequest, message: "name is required") }
        guard let task = try arguments.text("task") else { throw HTTPError(.badRequest, message: "task is required") }
        let scheduleRequest = ScheduleRequest(
            name: name, task: task, args: try jsonText("args"), kwargs: try jsonText("kwargs"), queue: try arguments.text("queue"),
            cron: try arguments.text("cron"), timeZone: try arguments.text("tz") ?? arguments.text("timezone"),
            every: try arguments.text("every"), missed: try arguments.text("missed"))
        let created = try await client.saveSchedule(try scheduleRequest.definition(), origin: "api")
        guard let record = try await client.schedule(named: name) else { throw HTTPError(.notFound, message: "No schedule named \(name).") }
        return JSONResponse.object(record.json, status: created ? .created : .ok)
    }

    func act(_ action: String, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        var answer: [String: JSONValue] = ["name": .string(name)]
        let found: Bool
        switch action {
        case "pause": found = try await client.pauseSchedule(name)
        case "resume": found = try await client.resumeSchedule(name)
        case "run":
            let id = try await client.runSchedule(name)
            found = id != nil
            answer["task-id"] = id.map(JSONValue.string)
        default: throw HTTPError(.notFound, message: "No such action.")
        }
        guard found, let record = try await client.schedule(named: name) else { throw HTTPError(.notFound, message: "No schedule named \(name).") }
        answer["schedule"] = record.json
        return JSONResponse.object(.object(answer))
    }

    @Sendable func remove(request: Request, context: MonitorRequestContext) async throws -> Response {
        let name = try context.parameters.decoded("name")
        guard try await client.removeSchedule(name) else { throw HTTPError(.notFound, message: "No schedule named \(name).") }
        return JSONResponse.object(["removed": .string(name)])
    }
}
