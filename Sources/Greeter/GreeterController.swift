import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb
import Mustache
import Petal

/// The greeter's pages: the form, the wait page and its status JSON, the result, the demo buttons.
/// Every handler only awaits the Petal client, whose Redis calls run on its own threads, so no
/// handler blocks an event loop. Errors (an unknown id, Redis away or full) go to `ErrorMiddleware`.
struct GreeterController: Sendable {
    let client: PetalClient
    /// Job reads, batched with every other request's (`/status` under load).
    let records: JobRecordBatcher
    let templates: MustacheLibrary
    let cookies: VisitorCookie
    let queue: String

    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/", use: index)
        router.post("/greet", use: greet)
        router.post("/demo/{task}", use: demo)
        router.get("/wait/{id}", use: wait)
        router.get("/status/{id}", use: status)
        router.get("/result/{id}", use: result)
        router.get("/healthz", use: health)
    }

    // MARK: - Pages

    @Sendable func index(request: Request, context: BasicRequestContext) async throws -> Response {
        let (visitor, isNew) = visitorID(request)
        return try await formPage(request: request, context: context, visitor: visitor, setCookie: isNew,
                                  form: GreetForm(person: "", total: "10"), errors: [:], status: .ok)
    }

    @Sendable func greet(request: Request, context: BasicRequestContext) async throws -> Response {
        let (visitor, isNew) = visitorID(request)
        var request = request
        let body = try await request.readBody(limit: 16_384)
        let fields = FormBody.parse(String(buffer: body))
        let form = GreetForm(person: fields["person"] ?? "", total: fields["total"] ?? "")
        switch form.validate() {
        case .invalid(let errors):
            return try await formPage(request: request, context: context, visitor: visitor, setCookie: isNew,
                                      form: form, errors: errors, status: .badRequest)
        case .valid(let person, let total):
            let id = try await client.enqueue(Greet.self, .init(person: person, total: total), options: .init(queue: queue, group: visitor)).id
            return redirect(to: "/wait/\(id)", setCookie: isNew ? visitor : nil)
        }
    }

    @Sendable func demo(request: Request, context: BasicRequestContext) async throws -> Response {
        let (visitor, isNew) = visitorID(request)
        let task = (try context.parameters.decoded("task"))
        let args: [JSONValue]
        switch task {
        case "flaky": args = []
        case "progress": args = [10, 0.3]
        default: throw HTTPError(.notFound, message: "no demo named \(task)")
        }
        let id = try await client.enqueue(EnqueueRequest(task: task, args: args, queue: queue, group: visitor))
        return redirect(to: "/wait/\(id)", setCookie: isNew ? visitor : nil)
    }

    @Sendable func wait(request: Request, context: BasicRequestContext) async throws -> Response {
        let job = try await requireJob(context)
        if job.state == .success { return redirect(to: "/result/\(job.id)", setCookie: nil) }
        return try render("greeter/wait", WaitPage(job: JobView(job)), request: request, context: context)
    }

    @Sendable func status(request: Request, context: BasicRequestContext) async throws -> Response {
        json(JobView(try await requireJob(context)).statusJSON, status: .ok)
    }

    @Sendable func result(request: Request, context: BasicRequestContext) async throws -> Response {
        let job = try await requireJob(context)
        if !job.state.isFinal { return redirect(to: "/wait/\(job.id)", setCookie: nil) }
        return try render("greeter/result", ResultPage(job: JobView(job)), request: request, context: context)
    }

    /// For operators and load balancers, so unlike the pages it names Redis's endpoint (and the
    /// error, whose URL has its password masked). Redis must answer and be the primary (under
    /// Sentinel, the current one); the pool reconnects a stale connection first.
    @Sendable func health(request: Request, context: BasicRequestContext) async throws -> Response {
        let (healthy, fields) = await RedisHealth.fields(client)
        var response = json(.object(fields), status: healthy ? .ok : .serviceUnavailable)
        if !healthy { response.headers[.retryAfter] = "5" }
        return response
    }

    // MARK: - Helpers

    private func formPage(request: Request, context: BasicRequestContext, visitor: String, setCookie: Bool, form: GreetForm,
                          errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        let ids = try await client.groupJobIDs(visitor, limit: 10)
        let jobs = try await client.jobs(ids).compactMap { $0.map(JobView.init) }
        var response = try render("greeter/index", IndexPage(form: form, errors: errors, jobs: jobs), request: request,
                                  context: context, status: status)
        if setCookie { response.setCookie(cookies.cookie(for: visitor)) }
        return response
    }

    private func requireJob(_ context: BasicRequestContext) async throws -> JobRecord {
        let id = (try context.parameters.decoded("id"))
        guard let job = try await records.job(id) else { throw PetalError.jobNotFound(id) }
        return job
    }

    private func visitorID(_ request: Request) -> (String, Bool) { cookies.visitor(of: request) }

    private func render(_ template: String, _ page: some Sendable, request: Request, context: BasicRequestContext,
                        status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = templates.render(page, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "missing template \(template)")
        }
        return try HTML(html, status: status).response(from: request, context: context)
    }

    private func redirect(to location: String, setCookie visitor: String?) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        if let visitor { response.setCookie(cookies.cookie(for: visitor)) }
        return response
    }

    private func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response { JSONResponse.object(value, status: status) }
}

/// What the templates see.
/// (Mustache reads stored properties only, so everything a template shows is stored.)
struct IndexPage: Sendable {
    let form: GreetForm
    let jobs: [JobView]
    let personError: String?
    let totalError: String?
    let hasJobs: Bool

    init(form: GreetForm, errors: [String: String], jobs: [JobView]) {
        self.form = form
        self.jobs = jobs
        personError = errors["person"]
        totalError = errors["total"]
        hasJobs = !jobs.isEmpty
    }
}

struct WaitPage: Sendable { let job: JobView }
struct ResultPage: Sendable { let job: JobView }
