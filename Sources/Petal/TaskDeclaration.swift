/// What a caller needs to know of a task to enqueue it with typed arguments and read its typed
/// result: its name and its types. A worker's `PetalTask` is one of these with a `run` method; a
/// web app that only enqueues (or a task written in another language) can declare just this.
///
/// On the wire nothing changes: the arguments travel as kwargs (a JSON object, so the monitor shows
/// them by name) and the result as JSON, so untyped callers and other languages see the same jobs.
public protocol TaskDeclaration {
    associatedtype Arguments: Codable & Sendable
    associatedtype Output: Codable & Sendable

    /// The task's name in the protocol (`greeter.expensive_greet`).
    static var name: String { get }

    /// The argument names positional `args` fill, in order, for untyped callers that send a list
    /// (Celery's `apply_async(args=[…])`, `petal call task 1 2`). Empty: keyword arguments only.
    static var argumentOrder: [String] { get }
}

extension TaskDeclaration {
    public static var argumentOrder: [String] { [] }

    /// The arguments as the kwargs object Petal stores. Throws `PetalError.invalidRequest` naming the
    /// field that JSON cannot carry (NaN, an integer beyond ±2^53), or when the type is no object.
    public static func kwargs(_ arguments: Arguments) throws(PetalError) -> [String: JSONValue] {
        let value: JSONValue
        do { value = try JSONValueEncoder().encode(arguments) } catch {
            throw .invalidRequest("\(name): \(CodingFailure.describe(error, root: "kwargs"))")
        }
        guard case .object(let members) = value else {
            throw .invalidRequest("\(name): \(Arguments.self) must encode as an object (kwargs), not \(ShownValue.text(value))")
        }
        return members
    }

    /// The arguments from a job's args and kwargs: positional ones fill `argumentOrder`. Throws
    /// `TaskArgumentsError` naming the field and the expected type (`kwargs.total: expected Int, got "ten"`).
    public static func arguments(args: [JSONValue], kwargs: [String: JSONValue]) throws(TaskArgumentsError) -> Arguments {
        let order = argumentOrder
        guard args.count <= order.count else {
            let takes = order.isEmpty ? "keyword arguments only" : "at most \(order.count) positional (\(order.joined(separator: ", ")))"
            throw TaskArgumentsError("\(name) takes \(takes), got \(args.count) positional")
        }
        var members = kwargs
        for (index, value) in args.enumerated() {
            guard members[order[index]] == nil else {
                throw TaskArgumentsError("\(order[index]) given twice: as args[\(index)] and in kwargs")
            }
            members[order[index]] = value
        }
        do {
            return try JSONValueDecoder().decode(Arguments.self, from: .object(members))
        } catch {
            throw TaskArgumentsError(describe(error, positional: args.count))
        }
    }

    /// A decoding error with its path from `kwargs`, or from `args[i]` when the field came positionally.
    private static func describe(_ error: any Error, positional: Int) -> String {
        guard let (keys, said) = CodingFailure.parts(of: error), let first = keys.first,
              let index = argumentOrder.prefix(positional).firstIndex(of: first.stringValue) else {
            return CodingFailure.describe(error, root: "kwargs")
        }
        let rest = keys.dropFirst()
        let root = rest.isEmpty ? "args[\(index)] (\(first.stringValue))" : "args[\(index)]"
        return "\(CodingFailure.path(Array(rest), root: root)): \(said)"
    }
}

/// A job's stored arguments do not fit the task's `Arguments`; the message names the field.
public struct TaskArgumentsError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
