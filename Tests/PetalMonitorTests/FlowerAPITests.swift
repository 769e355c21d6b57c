import Foundation
import Petal
import PetalTestSupport
import Testing

/// Flower 2.x's REST API shapes, against a real worker.
@Suite("Flower API", .serialized)
struct FlowerAPITests {
    let harness: MonitorHarness
    init() throws { harness = try MonitorHarness() }

    @Test func workersAndTheirControls() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 2)
        defer { worker.stop() }
        try await harness.run { session in
            let all = try await session.json("/api/workers")
            let entry = try #require(all.value[worker.name])
            #expect(entry["stats"]?["pool"]?["max-concurrency"]?.intValue == 2)
            #expect(entry["stats"]?["pool"]?["processes"]?.arrayValue?.count == 2)
            #expect(entry["active_queues"]?.arrayValue?.first?["name"]?.stringValue == "default")
            #expect(entry["registered"]?.arrayValue?.contains("add") == true)
            #expect(try await session.json("/api/workers?status=true").value[worker.name] == true)
            #expect(try await session.json("/api/workers?workername=nobody").status == 404)
            #expect(try await session.json("/api/workers?refresh=maybe").status == 400)

            let grow = try await session.postJSON("/api/worker/pool/grow/\(worker.name)?n=1")
            #expect(grow.value["message"]?.stringValue == "Growing '\(worker.name)' worker's pool by 1")
            try await Eventually.wait("3 children") { try await harness.client.worker(worker.name)?.children.count == 3 }
            let shrink = try await session.http.post("/api/worker/pool/shrink/\(worker.name)", form: ["n": "1"])
            #expect(shrink.status == 200)
            let autoscale = try await session.postJSON("/api/worker/pool/autoscale/\(worker.name)", ["min": 1, "max": 4])
            #expect(autoscale.value["message"]?.stringValue == "Autoscaling '\(worker.name)' worker (min=1, max=4)")
            #expect(try await session.postJSON("/api/worker/pool/autoscale/\(worker.name)").status == 400, "min and max are required")
            let restart = try await session.postJSON("/api/worker/pool/restart/\(worker.name)")
            #expect(restart.value["message"]?.stringValue == "Restarting '\(worker.name)' worker's pool")
            let add = try await session.postJSON("/api/worker/queue/add-consumer/\(worker.name)?queue=video")
            #expect(add.value["message"]?.stringValue == "add consumer video")
            let cancel = try await session.postJSON("/api/worker/queue/cancel-consumer/\(worker.name)?queue=video")
            #expect(cancel.value["message"]?.stringValue == "no longer consuming from video")
            #expect(try await session.postJSON("/api/worker/pool/grow/nobody").status == 404)
            let limits = try await session.http.post("/api/task/timeout/sleep", form: ["soft": "5", "hard": "10", "workername": worker.name])
            #expect(try JSONValue(parsing: limits.body)["message"] == "time limits set successfully")
            let shutdown = try await session.postJSON("/api/worker/shutdown/\(worker.name)")
            #expect(shutdown.value["message"] == "Shutting down!")
            #expect(worker.waitForExit(timeout: 20) != nil)
        }
    }

    @Test func tasksListInfoResultApplyAndRevoke() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 2)
        defer { worker.stop() }
        try await harness.run { session in
            let applied = try await session.postJSON("/api/task/apply/add", ["args": [4, 5]])
            #expect(applied.status == 200)
            #expect(applied.value["state"] == "SUCCESS")
            #expect(applied.value["result"] == 9)
            let id = try #require(applied.value["task-id"]?.stringValue)

            let queued = try await session.postJSON("/api/task/async-apply/hello", ["args": ["API"]])
            #expect(queued.value["state"] == "PENDING")
            let queuedID = try #require(queued.value["task-id"]?.stringValue)
            let waited = try await session.json("/api/task/result/\(queuedID)?timeout=10")
            #expect(waited.value["state"] == "SUCCESS")
            #expect(try await session.postJSON("/api/task/async-apply/not.registered").status == 404)
            let sent = try await session.postJSON("/api/task/send-task/not.registered", ["kwargs": ["x": 1]])
            #expect(sent.value["state"] == "PENDING", "send-task does not need the task's code")
            #expect(try await session.postJSON("/api/task/apply/add", ["args": "nope"]).status == 400)

            let info = try await session.json("/api/task/info/\(id)")
            #expect(info.value["task-id"]?.stringValue == id)
            #expect(info.value["uuid"]?.stringValue == id, "Flower 2.2 carries uuid too")
            #expect(info.value["root"]?.stringValue == id && info.value["parent"] == .null && info.value["children"] == [])
            #expect(info.value["args"] == "[4,5]", "args are a string, as in Flower")
            #expect(info.value["result"] == "9")
            #expect(info.value["worker"]?.stringValue == worker.name)
            #expect(try await session.json("/api/task/info/nope").status == 404)

            let list = try await session.http.get("/api/tasks?limit=2&sort_by=-received")
            let tasks = try JSONValue(parsing: list.body)
            #expect(tasks.objectValue?.count == 2)
            // Newest first, keyed by id, in the order of the answer text.
            let firstKey = list.body.dropFirst(2).prefix(36)
            #expect(String(firstKey) == sent.value["task-id"]?.stringValue)
            let filtered = try await session.json("/api/tasks?taskname=add&state=SUCCESS&workername=\(worker.name)")
            #expect(filtered.value.objectValue?.keys.sorted() == [id])
            #expect(filtered.value[id]?["uuid"]?.stringValue == id)
            for bad in ["limit=-1", "offset=abc", "state=BOGUS", "sort_by=nonsense", "received_start=31/12/2026"] {
                let reply = try await session.json("/api/tasks?\(bad)")
                #expect(reply.status == 400, "\(bad)")
                #expect(reply.value["error"]?.stringValue?.isEmpty == false)
            }

            let types = try await session.json("/api/task/types")
            #expect(types.value["task-types"]?.arrayValue?.contains("add") == true)
            let lengths = try await session.json("/api/queues/length")
            #expect(lengths.value["active_queues"]?.arrayValue?.contains { $0["name"] == "default" } == true)

            let sleeping = try await harness.client.enqueue(EnqueueRequest(task: "sleep", args: [30]))
            try await Eventually.job(harness.client, sleeping, state: .started)
            let revoke = try await session.postJSON("/api/task/revoke/\(sleeping)?terminate=true&signal=SIGKILL")
            #expect(revoke.value["message"]?.stringValue == "Revoked '\(sleeping)'")
            #expect(try await Eventually.job(harness.client, sleeping).state == .revoked)
            #expect(try await session.postJSON("/api/task/revoke/nope").status == 404)
            let waiting = try await harness.client.enqueue(EnqueueRequest(task: "noop", queue: "nobody-consumes"))
            let aborted = try await session.postJSON("/api/task/abort/\(waiting)")
            #expect(aborted.value["message"]?.stringValue == "Aborted '\(waiting)'")
            #expect(try await harness.client.job(waiting)?.state == .revoked, "a waiting job never runs")
            let limited = try await session.postJSON("/api/task/rate-limit/add", ["ratelimit": "10/m"])
            #expect(limited.status == 200 && limited.value["message"] == "new rate limit set successfully", "\(limited.text)")
        }
    }

    @Test func healthcheckAndMetrics() async throws {
        let worker = try await WorkerProcess(redis: harness.server, concurrency: 1)
        defer { worker.stop() }
        try await harness.run { session in
            let health = try await session.http.get("/healthcheck").body
            #expect(health.hasPrefix("OK\nredis: primary 127.0.0.1:\(harness.server.port)"), "OK first, as Flower, then the Redis role: \(health)")
            let id = try await harness.client.enqueue(EnqueueRequest(task: "add", args: [1, 1]))
            try await Eventually.job(harness.client, id)
            try await Eventually.wait("the event counted") {
                try await session.http.get("/metrics").body.contains("flower_events_total{worker=\"\(worker.name)\",type=\"task-succeeded\",task=\"add\"} 1")
            }
            let metrics = try await session.http.get("/metrics")
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains("flower_worker_online{worker=\"\(worker.name)\"} 1"))
            #expect(metrics.body.contains("flower_worker_number_of_currently_executing_tasks{worker=\"\(worker.name)\"}"))
            #expect(metrics.body.contains("flower_task_runtime_seconds_bucket{worker=\"\(worker.name)\",task=\"add\""))
            // task-received as Flower's metrics expect it (counted with task-started); task-sent names the producer (this test process).
            #expect(metrics.body.contains("flower_events_total{worker=\"\(worker.name)\",type=\"task-received\",task=\"add\"} 1"))
            #expect(metrics.body.contains("type=\"task-sent\""))
            #expect(!metrics.body.contains("flower_events_total{worker=\"\",type=\"task-sent\""), "task-sent carries the producer's name")
            // As Flower: task events only.
            #expect(!metrics.body.contains("type=\"worker-"), "worker events are not counted")
            // Prometheus's own checker reads it as Prometheus would.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt").path
            try metrics.body.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (code, output, errors) = try await RealClient.run("/bin/sh", ["-c", "promtool check metrics < '\(path)'"])
            #expect(code == 0, "promtool: \(output) \(errors)")
        }
    }

    @Test func aJobsFamilyIsInItsInfo() async throws {
        try await harness.run { session in
            let parent = try await harness.client.enqueue(EnqueueRequest(task: "noop", queue: "nobody-consumes"))
            let child = try await harness.client.enqueue(EnqueueRequest(task: "noop", queue: "nobody-consumes", parent: parent))
            let info = try await session.json("/api/task/info/\(parent)")
            #expect(info.value["children"] == [.string(child)])
            let childInfo = try await session.json("/api/task/info/\(child)")
            #expect(childInfo.value["parent"]?.stringValue == parent)
            #expect(childInfo.value["parent_id"]?.stringValue == parent)
            #expect(childInfo.value["root"]?.stringValue == parent)
            let list = try await session.json("/api/tasks?queue=nobody-consumes")
            #expect(list.value[parent]?["children"] == [.string(child)])
            #expect(list.value[child]?["parent"]?.stringValue == parent)
        }
    }
}
