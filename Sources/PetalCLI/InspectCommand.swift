import ArgumentParser
import Foundation
import Petal
import PetalCommandLine

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show workers, their running jobs, queues, registered tasks or rate limits (from Redis).")

    enum What: String, ExpressibleByArgument, CaseIterable { case workers, active, queues, registered, ping, rateLimits = "rate-limits" }

    @OptionGroup var redis: RedisOptions
    @Argument(help: "workers | active | queues | registered | ping | rate-limits") var what: What
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Seconds to wait for replies (ping).") var timeout: Double = 1

    func run() async throws {
        let client = try redis.client(.ofThisProcess())
        try await reportingErrors {
            switch what {
            case .workers:
                let workers = try await client.workers()
                if json { printJSON(.array(workers.map(Self.workerJSON))); return }
                if workers.isEmpty { print("no workers") }
                for worker in workers {
                    let age = worker.lastHeartbeat.map { String(format: "%.1fs ago", Clock.now() - $0) } ?? "never"
                    print("\(worker.name) \(worker.online ? "online" : "offline") pool=\(worker.concurrency) active=\(worker.active.count) processed=\(worker.processed) failed=\(worker.failed) queues=\(worker.queues.joined(separator: ",")) heartbeat=\(age)")
                }
            case .active:
                let workers = try await client.workers().filter(\.online)
                var all: [JSONValue] = []
                for worker in workers {
                    for job in worker.active {
                        if json {
                            all.append(["worker": .string(worker.name), "id": .string(job.id), "task": .string(job.task),
                                        "pid": .number(Double(job.pid)), "started": .number(job.started)])
                        } else {
                            print("\(worker.name) \(job.id) \(job.task) pid=\(job.pid) running \(String(format: "%.1f", Clock.now() - job.started))s")
                        }
                    }
                }
                if json { printJSON(.array(all)) }
            case .queues:
                let queues = try await client.queues()
                if json {
                    printJSON(.array(queues.map { ["name": .string($0.name), "messages": .number(Double($0.length)),
                                                   "latency": .number($0.latency), "consumers": .array($0.consumers.map(JSONValue.string)),
                                                   "paused": .bool($0.paused)] }))
                    return
                }
                for queue in queues {
                    print("\(queue.name) length=\(queue.length) latency=\(String(format: "%.1f", queue.latency))s consumers=\(queue.consumers.joined(separator: ","))\(queue.paused ? " paused" : "")")
                }
            case .registered:
                for worker in try await client.workers().filter(\.online) {
                    print("\(worker.name): \(worker.registered.joined(separator: ", "))")
                }
            case .rateLimits:
                let limits = try await client.rateLimits()
                if json { printJSON(.array(limits.map(Self.rateLimitJSON))); return }
                if limits.isEmpty { print("no rate limits") }
                for limit in limits {
                    let workers = limit.workers.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    let next = limit.nextSlot.map { String(format: " next in %.1fs", max(0, $0 - Clock.now())) } ?? ""
                    print("\(limit.task) fleet=\(limit.fleet?.description ?? "-")\(workers.isEmpty ? "" : " workers=\(workers)") waiting=\(limit.waiting)\(next)")
                }
            case .ping:
                let replies = try await client.control(.ping, timeout: timeout)
                if replies.isEmpty { print("no replies") }
                for reply in replies { print("\(reply.worker): \(reply.ok?.stringValue ?? reply.error ?? "?")") }
            }
        }
    }

    static func rateLimitJSON(_ limit: TaskRateLimit) -> JSONValue {
        ["task": .string(limit.task), "fleet": limit.fleet.map { .string($0.description) } ?? .null,
         "declared": limit.declared.map { .string($0.description) } ?? .null,
         "workers": .object(limit.workers.mapValues { .string($0.description) }), "waiting": .number(Double(limit.waiting)),
         "next_slot": limit.nextSlot.map(JSONValue.number) ?? .null]
    }

    static func workerJSON(_ worker: WorkerRecord) -> JSONValue {
        ["name": .string(worker.name), "online": .bool(worker.online), "hostname": .string(worker.hostname),
         "pid": .number(Double(worker.pid)), "concurrency": .number(Double(worker.concurrency)),
         "children": .array(worker.children.map { .number(Double($0)) }), "queues": .array(worker.queues.map(JSONValue.string)),
         "active": .number(Double(worker.active.count)), "processed": .number(Double(worker.processed)),
         "succeeded": .number(Double(worker.succeeded)), "failed": .number(Double(worker.failed)),
         "retried": .number(Double(worker.retried)), "heartbeat": worker.lastHeartbeat.map(JSONValue.number) ?? .null]
    }
}
