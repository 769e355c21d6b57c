import Petal

/// A task with typed arguments and result:
///
/// ```swift
/// struct Greet: PetalTask {
///     static let name = "greeter.expensive_greet"
///     struct Arguments: Codable, Sendable { var person: String; var total: Int }
///     func run(_ arguments: Arguments, context: TaskContext) async throws -> String { … }
/// }
/// registry.register(Greet())
/// ```
///
/// The worker decodes the job's kwargs (and positional args, by `argumentOrder`) into `Arguments`
/// and encodes what `run` returns as the result JSON. Arguments that do not decode fail the job at
/// once, not retried, with `InvalidArguments: kwargs.total: expected Int, got "ten"`.
public protocol PetalTask: TaskDeclaration, Sendable {
    // Restated so that a task's types are inferred from `run` (TaskDeclaration's own requirements
    // do not mention them).
    associatedtype Arguments
    associatedtype Output

    func run(_ arguments: Arguments, context: TaskContext) async throws -> Output
}

extension TaskRegistry {
    /// Registers a typed task under its `name`.
    public mutating func register<Task: PetalTask>(_ task: Task, options: TaskOptions = TaskOptions()) {
        register(Task.name, options: options) { context in
            let arguments: Task.Arguments
            do throws(TaskArgumentsError) { arguments = try Task.arguments(args: context.args, kwargs: context.kwargs) } catch {
                throw InvalidArguments(error.message)
            }
            let output = try await task.run(arguments, context: context)
            do { return try JSONValueEncoder().encode(output) } catch {
                throw InvalidResult(CodingFailure.describe(error, root: "result"))
            }
        }
    }
}
