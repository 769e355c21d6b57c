import Petal

/// One job as the task list shows it.
struct TaskRow: Sendable, Hashable {
    let id: String
    let link: String
    let name: String
    let state: String
    let stateClass: String
    let args: String
    let kwargs: String
    let result: String
    let received: String
    let started: String
    let runtime: String
    let worker: String
    let workerLink: String?
    let queue: String
    let revocable: Bool

    init(_ job: JobRecord, base: String) {
        id = job.id
        link = base + "/task/" + PageRenderer.encode(job.id)
        name = job.task
        state = job.state.rawValue
        stateClass = job.state.rawValue.lowercased()
        args = Self.clip(job.argsJSON)
        kwargs = Self.clip(job.kwargsJSON)
        result = Self.clip(job.resultJSON ?? job.exception ?? "")
        received = Format.timestamp(job.received ?? job.sent)
        started = Format.timestamp(job.started)
        runtime = Format.duration(job.runtime)
        worker = job.worker ?? ""
        workerLink = job.worker.map { base + "/worker/" + PageRenderer.encode($0) }
        queue = job.queue
        revocable = !job.state.isFinal
    }

    static func clip(_ text: String, to length: Int = 80) -> String {
        text.count <= length ? text : String(text.prefix(length)) + "…"
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension TaskRow: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "id": \.id,
        "link": \.link,
        "name": \.name,
        "state": \.state,
        "stateClass": \.stateClass,
        "args": \.args,
        "kwargs": \.kwargs,
        "result": \.result,
        "received": \.received,
        "started": \.started,
        "runtime": \.runtime,
        "worker": \.worker,
        "workerLink": \.workerLink,
        "queue": \.queue,
        "revocable": \.revocable,
    ]
}
