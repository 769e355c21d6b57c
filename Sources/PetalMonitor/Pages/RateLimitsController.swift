import Hummingbird
import Petal
import PetalWeb

/// `POST /rate-limits`: the Queues page's form setting a task's fleet-wide rate limit (a worker's
/// own is set from its page, `WorkerController`).
struct RateLimitsController: Sendable {
    let client: PetalClient
    let renderer: PageRenderer

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.post("/rate-limits", use: set)
    }

    @Sendable func set(request: Request, context: MonitorRequestContext) async throws -> Response {
        var request = request
        let form = FormBody.parse(String(buffer: try await request.readBody(limit: 65_536)))
        let task = try WorkerController.task(form["task"]), rate = try WorkerController.rateLimit(form["rate"])
        let reply = try await client.setRateLimit(rate, for: task)
        let back = reply.jobsPutBack > 0 ? "; \(reply.jobsPutBack) waiting job(s) planned again" : ""
        return renderer.redirect("/queues", notice: "\(task): " + (rate.map { "fleet-wide rate limit \($0)" } ?? "no fleet-wide rate limit") + back)
    }
}
