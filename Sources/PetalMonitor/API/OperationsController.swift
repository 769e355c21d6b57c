import HTTPTypes
import Hummingbird
import Petal

/// GET /healthcheck ("OK" first, as Flower, then the Redis role) and GET /metrics (Prometheus text).
struct OperationsController: Sendable {
    let client: PetalClient
    let workerCache: WorkerCache
    let metrics: MonitorMetrics

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/healthcheck", use: health)
        router.get("/metrics", use: exposition)
    }

    /// "OK" while the monitor runs, as Flower answers, then the Redis server it writes to: its role
    /// (the primary; under Sentinel, the current one) and address, or why it is out of reach.
    @Sendable func health(request: Request, context: MonitorRequestContext) async throws -> Response {
        let (_, line) = await RedisHealth.line(client)
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "OK\n" + line + "\n")))
    }

    @Sendable func exposition(request: Request, context: MonitorRequestContext) async throws -> Response {
        let text = metrics.exposition(workers: try await workerCache.workers())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
