import HTTPTypes
import Hummingbird
import Petal

/// GET /healthcheck ("OK" while the monitor runs, as Flower) and GET /metrics (Prometheus text).
struct OperationsController: Sendable {
    let workerCache: WorkerCache
    let metrics: MonitorMetrics

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        router.get("/healthcheck") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "OK")))
        }
        router.get("/metrics", use: exposition)
    }

    @Sendable func exposition(request: Request, context: MonitorRequestContext) async throws -> Response {
        let text = metrics.exposition(workers: try await workerCache.workers())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
