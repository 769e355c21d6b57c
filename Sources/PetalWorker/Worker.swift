import Foundation
import Logging
import Petal

/// A Petal worker: call `run()` from your executable's worker command. The same executable is
/// started again for each child process (with `PETAL_WORKER_CHILD` set), so the registry you pass
/// here is the one the children run.
public struct Worker: Sendable {
    /// Set in a child's environment to its configuration (JSON).
    public static let childEnvironmentKey = "PETAL_WORKER_CHILD"
    /// The descriptor a child reads its configuration from (a pipe the supervisor filled).
    static let childConfigurationDescriptor: Int32 = 4

    public let configuration: WorkerConfiguration
    public let registry: TaskRegistry
    public let logger: Logger

    public init(configuration: WorkerConfiguration, registry: TaskRegistry, logger: Logger = Logger(label: "petal.worker")) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    /// True in a child process.
    public static var isChild: Bool { ProcessInfo.processInfo.environment[childEnvironmentKey] != nil }

    /// Runs the supervisor (or, in a child, the child loop) on a dedicated thread and returns the
    /// exit code when the worker stops. A child never returns: it exits its process.
    public func run() async throws -> Int32 {
        if ProcessInfo.processInfo.environment[Self.childEnvironmentKey] != nil {
            let childJSON = FileHandle(fileDescriptor: Self.childConfigurationDescriptor, closeOnDealloc: true).readDataToEndOfFile()
            let childConfiguration = try JSONDecoder().decode(WorkerConfiguration.self, from: childJSON)
            var childLogger = logger
            childLogger[metadataKey: "child"] = "\(getpid())"
            let registry = self.registry
            let logger = childLogger
            // Built on the thread that runs it: a runner (and its connection) belongs to one thread.
            return await Self.onDedicatedThread(name: "petal-child") {
                do {
                    try ChildRunner(configuration: childConfiguration, registry: registry, logger: logger).run()
                } catch {
                    logger.critical("child cannot start: \(error)")
                    return 1
                }
            }
        }
        try configuration.validate()
        _ = try registry.declaredRateLimits()
        let (configuration, registry, logger) = (self.configuration, self.registry, self.logger)
        return await Self.onDedicatedThread(name: "petal-supervisor") {
            do {
                return try Supervisor(configuration: configuration, registry: registry, logger: logger).run()
            } catch {
                logger.critical("worker cannot start: \(error)")
                return 1
            }
        }
    }

    /// Blocking loops never run on Swift's cooperative pool: each gets a thread of its own.
    private static func onDedicatedThread(name: String, _ body: @escaping @Sendable () -> Int32) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
