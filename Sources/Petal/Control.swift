import Foundation

/// A remote-control command for workers (Celery's `control`/`inspect` broadcast).
public struct ControlCommand: Sendable, Equatable {
    public var name: String
    public var arguments: [String: JSONValue]

    public init(_ name: String, _ arguments: [String: JSONValue] = [:]) {
        self.name = name
        self.arguments = arguments
    }

    /// The most children a worker's pool may have (grow, autoscale and --concurrency stop there).
    public static let maximumPoolSize = 256

    public static let ping = ControlCommand("ping")
    public static func poolGrow(_ n: Int = 1) -> ControlCommand { ControlCommand("pool_grow", ["n": .number(Double(n))]) }
    public static func poolShrink(_ n: Int = 1) -> ControlCommand { ControlCommand("pool_shrink", ["n": .number(Double(n))]) }
    public static let poolRestart = ControlCommand("pool_restart")
    public static func autoscale(max: Int, min: Int) -> ControlCommand {
        ControlCommand("autoscale", ["max": .number(Double(max)), "min": .number(Double(min))])
    }
    /// Warm shutdown: stop taking jobs, finish the running ones, exit.
    public static let shutdown = ControlCommand("shutdown")
    public static func addConsumer(_ queue: String) -> ControlCommand { ControlCommand("add_consumer", ["queue": .string(queue)]) }
    public static func cancelConsumer(_ queue: String) -> ControlCommand { ControlCommand("cancel_consumer", ["queue": .string(queue)]) }
    /// Time limits for a task on the receiving workers; nil or 0 clears one.
    public static func timeLimit(task: String, soft: Double?, hard: Double?) -> ControlCommand {
        ControlCommand("time_limit", ["task": .string(task), "soft": .number(soft ?? 0), "hard": .number(hard ?? 0)])
    }
    /// Kills the child running `id` (the revoke script has already marked it).
    public static func terminate(id: String, signal: String = "SIGTERM") -> ControlCommand {
        ControlCommand("terminate", ["id": .string(id), "signal": .string(signal)])
    }
}

/// One worker's answer to a control command.
public struct ControlReply: Sendable, Equatable {
    public var worker: String
    /// What the worker did, on success.
    public var ok: JSONValue?
    /// Why it could not, on failure.
    public var error: String?

    public var succeeded: Bool { error == nil }

    public init(worker: String, ok: JSONValue? = nil, error: String? = nil) {
        self.worker = worker
        self.ok = ok
        self.error = error
    }
}

/// The message published on the control channel (JSON, see docs/PROTOCOL.md).
public struct ControlMessage: Sendable, Equatable {
    public var id: String
    public var command: ControlCommand
    /// Worker names, or nil for every worker.
    public var destination: [String]?
    /// The list key replies are pushed to, or nil when no reply is wanted.
    public var replyTo: String?

    public init(id: String = UUID().uuidString.lowercased(), command: ControlCommand, destination: [String]?, replyTo: String?) {
        self.id = id
        self.command = command
        self.destination = destination
        self.replyTo = replyTo
    }

    public var json: String {
        var object: [String: JSONValue] = ["id": .string(id), "command": .string(command.name),
                                           "arguments": .object(command.arguments)]
        object["destination"] = destination.map { .array($0.map(JSONValue.string)) } ?? .null
        object["reply_to"] = replyTo.map(JSONValue.string) ?? .null
        return JSONValue.object(object).jsonText
    }

    public init?(json: String) {
        guard let value = try? JSONValue(parsing: json), let id = value["id"]?.stringValue,
              let name = value["command"]?.stringValue else { return nil }
        self.id = id
        command = ControlCommand(name, value["arguments"]?.objectValue ?? [:])
        destination = value["destination"]?.arrayValue?.compactMap(\.stringValue)
        replyTo = value["reply_to"]?.stringValue
    }

    /// True when the worker named `worker` should act on this message.
    public func isAddressed(to worker: String) -> Bool { destination?.contains(worker) ?? true }
}

extension ControlReply {
    public var json: String {
        var object: [String: JSONValue] = ["worker": .string(worker)]
        if let ok { object["ok"] = ok }
        if let error { object["error"] = .string(error) }
        return JSONValue.object(object).jsonText
    }

    public init?(json: String) {
        guard let value = try? JSONValue(parsing: json), let worker = value["worker"]?.stringValue else { return nil }
        self.worker = worker
        ok = value["ok"]
        error = value["error"]?.stringValue
    }
}
