import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb
import Logging
import Mustache
import Petal

/// moi's per-visitor job list: `/jobs` renders it, `/jobs/events` keeps it live with Server-Sent
/// Events fed by the visitor's group channel in Redis. Each connection starts with a snapshot, and
/// sends one again after Redis comes back, so a page that reconnects catches up; no polling.
struct JobsController: Sendable {
    let client: PetalClient
    let templates: MustacheLibrary
    let cookies: VisitorCookie

    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/jobs", use: page)
        router.get("/jobs/events", use: events)
    }

    struct JobsPage: Sendable {
        let jobs: [JobView]
        let hasJobs: Bool
    }

    /// A first-time visitor gets an empty list and their cookie, so jobs they then start in
    /// another tab appear here live.
    @Sendable func page(request: Request, context: BasicRequestContext) async throws -> Response {
        let (visitor, isNew) = cookies.visitor(of: request)
        let jobs = isNew ? [] : try await recentJobs(visitor)
        guard let html = templates.render(JobsPage(jobs: jobs, hasJobs: !jobs.isEmpty), withTemplate: "greeter/jobs") else {
            throw HTTPError(.internalServerError)
        }
        var response = try HTML(html).response(from: request, context: context)
        if isNew { response.setCookie(cookies.cookie(for: visitor)) }
        return response
    }

    @Sendable func events(request: Request, context: BasicRequestContext) async throws -> Response {
        let visitor = try visitorID(request)
        let notices = client.notices(group: visitor)
        let first = try await snapshotEvent(visitor)
        let client = self.client
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let (chunks, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1000))
            continuation.yield("retry: 1000\n\n" + first)
            let forward = Task {
                for await event in notices {
                    switch event {
                    case .notice(let notice):
                        continuation.yield("event: job\ndata: \(SocketJob.json(notice).jsonText)\n\n")
                    case .subscribed:
                        break
                    case .resubscribed:
                        if let again = try? await JobsController(client: client, templates: templates, cookies: cookies).snapshotEvent(visitor) {
                            continuation.yield(again)
                        }
                    }
                }
            }
            // Comments every 15 s keep proxies from closing the stream and reveal a gone client.
            let keepalive = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(15))
                    continuation.yield(": keepalive\n\n")
                }
            }
            defer {
                forward.cancel()
                keepalive.cancel()
                continuation.finish()
            }
            for await chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
        })
    }

    /// `event: snapshot` with the visitor's recent jobs as a JSON array.
    func snapshotEvent(_ visitor: String) async throws -> String {
        let rows = try await recentJobs(visitor).map { job -> JSONValue in
            ["id": .string(job.id), "task": .string(job.task), "state": .string(job.state),
             "current": .number(Double(job.current)), "total": .number(Double(job.total)), "status": .string(job.status)]
        }
        return "event: snapshot\ndata: \(JSONValue.array(rows).jsonText)\n\n"
    }

    /// Redis errors go to `ErrorMiddleware` as they are, so a Redis away is a 503 with
    /// `Retry-After` like every other page's.
    private func recentJobs(_ visitor: String) async throws -> [JobView] {
        let ids = try await client.groupJobIDs(visitor, limit: 20)
        return try await client.jobs(ids).compactMap { $0.map(JobView.init) }
    }

    /// The stream is the visitor's own: without a valid cookie (the page sets one) there is none.
    private func visitorID(_ request: Request) throws -> String {
        let (visitor, isNew) = cookies.visitor(of: request)
        if isNew { throw HTTPError(.notFound, message: "Open /jobs first: it gives you your visitor cookie.") }
        return visitor
    }
}
