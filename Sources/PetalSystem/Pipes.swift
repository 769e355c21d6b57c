import CPetalSystem
import Foundation

/// A pipe whose ends close on exec unless mapped into a child explicitly.
public struct PipeDescriptors: Sendable {
    public let read: Int32
    public let write: Int32

    /// Descriptors that are never readable (-1), for when a pipe could not be made.
    public static let unavailable = PipeDescriptors(read: -1, write: -1)

    private init(read: Int32, write: Int32) {
        self.read = read
        self.write = write
    }

    public init() throws {
        var fds: [Int32] = [0, 0]
        guard petal_pipe_cloexec(&fds) == 0 else { throw SystemError("pipe failed: \(String(cString: strerror(errno)))") }
        read = fds[0]
        write = fds[1]
    }

    /// Makes the read end non-blocking, for a poll loop.
    public func nonBlockingRead() -> PipeDescriptors {
        let flags = fcntl(read, F_GETFL)
        _ = fcntl(read, F_SETFL, flags | O_NONBLOCK)
        return self
    }
}

/// Delivers signals as bytes on a pipe, so a poll loop handles them as ordinary input.
public enum SignalPipe {
    /// Installs handlers for `signals`; returns the descriptor to read signal numbers from.
    public static func install(_ signals: [Int32]) throws -> Int32 {
        let pipe = try PipeDescriptors().nonBlockingRead()
        let flags = fcntl(pipe.write, F_GETFL)
        _ = fcntl(pipe.write, F_SETFL, flags | O_NONBLOCK)
        let installed = signals.withUnsafeBufferPointer { petal_install_signal_pipe(pipe.write, $0.baseAddress, Int32(signals.count)) }
        guard installed == 0 else { throw SystemError("cannot install signal handlers") }
        return pipe.read
    }

    public static func ignore(_ signal: Int32) { petal_ignore_signal(signal) }
    public static func restoreDefault(_ signal: Int32) { petal_default_signal(signal) }
}

/// Writes whole buffers to a descriptor, retrying on partial writes and EINTR.
public func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}
