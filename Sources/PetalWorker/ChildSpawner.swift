import Foundation
import Petal
import PetalRedis
import PetalSystem

/// Starts a child: this same executable, with the same arguments, in child mode.
struct ChildSpawner {
    /// Starts a child that runs with `configuration` (the queues consumed now included).
    func spawn(_ configuration: WorkerConfiguration) throws -> ChildHandle {
        let commands = try PipeDescriptors()
        let notices = try PipeDescriptors().nonBlockingRead()
        // The configuration (Redis password included) goes through a pipe, not the environment or
        // argv, which others can read in /proc; the child's argv has the password masked.
        let settings = try PipeDescriptors()
        defer { close(settings.read) }
        try Self.writeWhole(Array(String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self).utf8), to: settings.write)
        close(settings.write)
        var environment = ProcessInfo.processInfo.environment
        environment[Worker.childEnvironmentKey] = "fd:\(Worker.childConfigurationDescriptor)"
        let process = try ChildProcess.spawn(executable: SystemStats.executablePath(),
                                             arguments: CommandLine.arguments.dropFirst().map(PasswordMasking.masked),
                                             environment: environment,
                                             descriptors: [0: commands.read, 3: notices.write, Worker.childConfigurationDescriptor: settings.read],
                                             // A group of its own: Ctrl-C or a runner's SIGTERM to the worker's group
                                             // reaches the supervisor alone, which then shuts the pool down warm.
                                             newProcessGroup: true)
        close(commands.read)
        close(notices.write)
        return ChildHandle(process: process, commandDescriptor: commands.write, noticeDescriptor: notices.read, spawnedAt: Clock.now())
    }

    /// The configuration is a few hundred bytes, far below a pipe's buffer, so this never blocks.
    private static func writeWhole(_ bytes: [UInt8], to descriptor: Int32) throws {
        guard bytes.count < 60_000 else { throw SystemError("the worker configuration is too large to hand to a child") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw SystemError("cannot hand the configuration to a child: \(String(cString: strerror(errno)))") }
            written += count
        }
    }
}
