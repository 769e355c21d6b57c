import Petal

/// One worker as the dashboard's table and live updates show it.
struct WorkerRow: Sendable {
    let name: String
    let link: String
    let online: Bool
    let status: String
    /// The host the worker runs on, and the Redis it uses (no password; under Sentinel, with the primary it talks to).
    let host: String
    let redis: String
    let heartbeatAge: String
    let concurrency: Int
    let active: Int
    let processed: Int
    let succeeded: Int
    let failed: Int
    let retried: Int
    let load: String

    init(_ worker: WorkerRecord, base: String, now: Double) {
        name = worker.name
        link = base + "/worker/" + PageRenderer.encode(worker.name)
        online = worker.online
        status = worker.online ? (worker.shuttingDown ? "stopping" : "online") : "offline"
        host = worker.hostname
        redis = Self.redisText(worker)
        heartbeatAge = Format.age(worker.lastHeartbeat, now: now)
        concurrency = worker.concurrency
        active = worker.online ? worker.active.count : 0
        processed = worker.processed
        succeeded = worker.succeeded
        failed = worker.failed
        retried = worker.retried
        load = Format.loadAverage(worker.loadAverage)
    }

    /// `redis+sentinel://…/mymaster (primary 127.0.0.1:6381)`, or the URL when it names the server.
    static func redisText(_ worker: WorkerRecord) -> String {
        guard !worker.redisServer.isEmpty, !worker.redis.contains(worker.redisServer) else { return worker.redis }
        return worker.redis.isEmpty ? worker.redisServer : "\(worker.redis) (at \(worker.redisServer))"
    }

    var json: JSONValue {
        ["name": .string(name), "link": .string(link), "online": .bool(online), "status": .string(status),
         "host": .string(host), "redis": .string(redis),
         "heartbeat": .string(heartbeatAge), "concurrency": .number(Double(concurrency)), "active": .number(Double(active)),
         "processed": .number(Double(processed)), "succeeded": .number(Double(succeeded)), "failed": .number(Double(failed)),
         "retried": .number(Double(retried)), "load": .string(load)]
    }

    /// Sort keys the dashboard's column headers offer.
    static let sortKeys = ["name", "status", "host", "concurrency", "active", "processed", "succeeded", "failed", "retried", "load"]

    /// Positions of `rows` in the order of a column, ties broken by name.
    static func sortedPositions(_ rows: [WorkerRow], by key: String, descending: Bool) -> [Int] {
        let ordered = rows.indices.sorted { i, j in
            let a = rows[i], b = rows[j]
            switch key {
            case "status": return (a.online ? 0 : 1, a.name) < (b.online ? 0 : 1, b.name)
            case "host": return (a.host, a.name) < (b.host, b.name)
            case "concurrency": return (a.concurrency, a.name) < (b.concurrency, b.name)
            case "active": return (a.active, a.name) < (b.active, b.name)
            case "processed": return (a.processed, a.name) < (b.processed, b.name)
            case "succeeded": return (a.succeeded, a.name) < (b.succeeded, b.name)
            case "failed": return (a.failed, a.name) < (b.failed, b.name)
            case "retried": return (a.retried, a.name) < (b.retried, b.name)
            case "load": return (a.load, a.name) < (b.load, b.name)
            default: return a.name < b.name
            }
        }
        return descending ? ordered.reversed() : ordered
    }
}

/// The dashboard's cards.
struct Totals: Sendable {
    let onlineWorkers: Int
    let active: Int
    let queued: Int
    let processed: Int
    let succeeded: Int
    let failed: Int
    let retried: Int
    let revoked: Int

    init(workers: [WorkerRecord], totals: JobTotals, queued: Int) {
        onlineWorkers = workers.filter(\.online).count
        active = workers.filter(\.online).reduce(0) { $0 + $1.active.count }
        self.queued = queued
        processed = totals.processed
        succeeded = totals.succeeded
        failed = totals.failed
        retried = totals.retried
        revoked = totals.revoked
    }

    var json: JSONValue {
        ["online": .number(Double(onlineWorkers)), "active": .number(Double(active)), "queued": .number(Double(queued)),
         "processed": .number(Double(processed)), "succeeded": .number(Double(succeeded)), "failed": .number(Double(failed)),
         "retried": .number(Double(retried)), "revoked": .number(Double(revoked))]
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension WorkerRow: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "link": \.link,
        "online": \.online,
        "status": \.status,
        "host": \.host,
        "redis": \.redis,
        "heartbeatAge": \.heartbeatAge,
        "concurrency": \.concurrency,
        "active": \.active,
        "processed": \.processed,
        "succeeded": \.succeeded,
        "failed": \.failed,
        "retried": \.retried,
        "load": \.load,
    ]
}

extension Totals: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "onlineWorkers": \.onlineWorkers,
        "active": \.active,
        "queued": \.queued,
        "processed": \.processed,
        "succeeded": \.succeeded,
        "failed": \.failed,
        "retried": \.retried,
        "revoked": \.revoked,
    ]
}
