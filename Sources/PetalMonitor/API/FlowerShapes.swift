import Petal

/// Petal's records in the JSON shapes of Flower 2.x's REST API (docs/API.md lists each field and
/// what it means here). As in Flower, args, kwargs and result are strings: their JSON text.
enum FlowerShapes {
    /// One task as Flower 2.2 shows it: `uuid` (and `task-id` on /api/task/info), with its family:
    /// `parent`/`parent_id`, `root`/`root_id` (Petal keeps one level: the parent, or the job itself)
    /// and `children` (ids).
    static func task(_ job: JobRecord, children: [String], withTaskID: Bool = false) -> [(String, JSONValue)] {
        func time(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        let timestamp = [job.succeeded, job.failed, job.revoked, job.retried, job.started, job.received, job.sent].compactMap { $0 }.max()
        var fields: [(String, JSONValue)] = [
            ("uuid", .string(job.id)), ("name", .string(job.task)), ("state", .string(job.state.rawValue)),
            ("args", .string(job.argsJSON)), ("kwargs", .string(job.kwargsJSON)), ("result", text(job.resultJSON)),
            ("received", time(job.received)), ("sent", time(job.sent)), ("started", time(job.started)),
            ("succeeded", time(job.succeeded)), ("failed", time(job.failed)), ("retried", time(job.retried)),
            ("revoked", time(job.revoked)), ("rejected", .null), ("eta", time(job.eta)), ("expires", time(job.expires)),
            ("retries", .number(Double(job.retries))), ("worker", text(job.worker)), ("exception", text(job.exception)),
            ("traceback", text(job.traceback)), ("timestamp", time(timestamp)), ("runtime", time(job.runtime)),
            ("exchange", .null), ("routing_key", .string(job.queue)), ("queue", .string(job.queue)), ("clock", .number(0)),
            ("client", .null), ("root", .string(job.parent ?? job.id)), ("root_id", .string(job.parent ?? job.id)),
            ("parent", text(job.parent)), ("parent_id", text(job.parent)), ("children", .array(children.map { .string($0) })),
            ("group", text(job.group)),
        ]
        if withTaskID { fields.insert(("task-id", .string(job.id)), at: 1) }
        if let progress = job.progress {
            fields.append(("progress", ["current": .number(progress.current), "total": .number(progress.total),
                                        "message": text(progress.message)]))
        }
        return fields
    }

    static func worker(_ worker: WorkerRecord, activeJobs: [JobRecord?]) -> JSONValue {
        let queues: [JSONValue] = worker.queues.map { queue in
            ["name": .string(queue), "exchange": ["name": .string(queue), "type": "direct"], "routing_key": .string(queue),
             "durable": true, "exclusive": false, "auto_delete": false, "no_ack": false, "alias": .null,
             "queue_arguments": .null, "binding_arguments": .null, "bindings": []]
        }
        let limits = worker.timeLimits.values.first ?? [0, 0]
        let active: [JSONValue] = zip(worker.active, activeJobs).map { job, record in
            ["id": .string(job.id), "name": .string(job.task), "type": .string(job.task),
             "args": .string(record?.argsJSON ?? "[]"), "kwargs": .string(record?.kwargsJSON ?? "{}"),
             "hostname": .string(worker.name), "time_start": .number(job.started), "acknowledged": true,
             "delivery_info": ["routing_key": .string(record?.queue ?? ""), "redelivered": .bool((record?.redeliveries ?? 0) > 0)],
             "worker_pid": .number(Double(job.pid))]
        }
        let stats: JSONValue = [
            "broker": ["transport": "redis", "hostname": .string(worker.hostname)],
            "clock": "0", "pid": .number(Double(worker.pid)), "uptime": .number(worker.startedAt.map { Clock.now() - $0 } ?? 0),
            "pool": ["max-concurrency": .number(Double(worker.concurrency)),
                     "processes": .array(worker.children.map { .number(Double($0)) }),
                     "max-tasks-per-child": "N/A", "put-guarded-by-semaphore": false,
                     "timeouts": .array(limits.prefix(2).map { .number($0) }),
                     "autoscaler": worker.autoscaleMax.map { ["max": .number(Double($0)), "min": .number(Double(worker.autoscaleMin ?? 0))] } ?? .null],
            "prefetch_count": .number(Double(worker.concurrency)),
            "rusage": ["maxrss": .number(Double(worker.rssBytes / 1024))],
            "total": .object(worker.taskCounts.mapValues { .number(Double($0)) }),
        ]
        return [
            "active_queues": .array(queues), "conf": ["worker_concurrency": .number(Double(worker.concurrency))],
            "registered": .array(worker.registered.map { .string($0) }), "stats": stats, "active": .array(active),
            "reserved": [], "scheduled": [], "revoked": [], "timestamp": .number(worker.lastHeartbeat ?? 0),
            "online": .bool(worker.online), "loadavg": .array(worker.loadAverage.map { .number($0) }),
        ]
    }
}
