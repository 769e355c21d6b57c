import Foundation

/// The message published on the control channel (JSON, docs/PROTOCOL.md): a command, the workers
/// it is for and where they push their replies.
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

    private enum Field: String { case id, command, arguments, destination, replyTo = "reply_to" }

    public var json: String {
        var object: [String: JSONValue] = [Field.id.rawValue: .string(id), Field.command.rawValue: .string(command.name.rawValue),
                                           Field.arguments.rawValue: .object(command.arguments)]
        object[Field.destination.rawValue] = destination.map { .array($0.map(JSONValue.string)) } ?? .null
        object[Field.replyTo.rawValue] = replyTo.map(JSONValue.string) ?? .null
        return JSONValue.object(object).jsonText
    }

    /// A message as a worker receives it: the envelope, and the command or why it cannot be run
    /// (an unknown name, a bad argument), so the worker can answer either way.
    public struct Received: Sendable, Equatable {
        public var id: String
        public var commandName: String
        public var command: Result<ControlCommand, ControlCommand.Refusal>
        public var destination: [String]?
        public var replyTo: String?

        /// True when the worker named `worker` should act on this message.
        public func isAddressed(to worker: String) -> Bool { destination?.contains(worker) ?? true }
    }

    /// Reads a published message; nil when the text is no control message at all (a reap probe).
    public static func receive(_ json: String) -> Received? {
        guard let value = try? JSONValue(parsing: json), let id = value[Field.id.rawValue]?.stringValue,
              let name = value[Field.command.rawValue]?.stringValue else { return nil }
        let command = Result { () throws(ControlCommand.Refusal) in
            try ControlCommand(name: name, arguments: value[Field.arguments.rawValue]?.objectValue ?? [:])
        }
        return Received(id: id, commandName: name, command: command,
                        destination: value[Field.destination.rawValue]?.arrayValue?.compactMap(\.stringValue),
                        replyTo: value[Field.replyTo.rawValue]?.stringValue)
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

    private enum Field: String { case worker, ok, error }

    public var json: String {
        var object: [String: JSONValue] = [Field.worker.rawValue: .string(worker)]
        object[Field.ok.rawValue] = ok
        object[Field.error.rawValue] = error.map(JSONValue.string)
        return JSONValue.object(object).jsonText
    }

    public init?(json: String) {
        guard let value = try? JSONValue(parsing: json), let worker = value[Field.worker.rawValue]?.stringValue else { return nil }
        self.worker = worker
        ok = value[Field.ok.rawValue]
        error = value[Field.error.rawValue]?.stringValue
    }
}
