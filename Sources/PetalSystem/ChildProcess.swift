import CPetalSystem
import Foundation

/// How a child process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus: Int32) {
        if petal_signaled(waitStatus) != 0 { self = .signaled(petal_term_signal(waitStatus)) }
        else { self = .exited(petal_exit_code(waitStatus)) }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signal): return "killed by \(SignalName.of(signal))"
        }
    }
}

/// A process this program spawned and must reap: spawned with posix_spawn, waited for by pid
/// (never `waitpid(-1)`, so it does not race other owners of children).
public struct ChildProcess: Sendable, Hashable {
    public let pid: Int32

    public init(pid: Int32) { self.pid = pid }

    /// Spawns `executable` with `arguments`. `descriptors` maps each of the child's descriptors to one
    /// of ours (`[1: log, 2: log]` sends its stdout and stderr to `log`). Default signal dispositions.
    public static func spawn(executable: String, arguments: [String], environment: [String: String],
                             descriptors: [Int32: Int32] = [:], newProcessGroup: Bool = false) throws -> ChildProcess {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let map = descriptors.sorted { $0.key < $1.key }.flatMap { [$0.value, $0.key] }
        let pid = map.withUnsafeBufferPointer { mapBuffer in
            petal_spawn(executable, argv, envp, mapBuffer.baseAddress, Int32(descriptors.count), newProcessGroup ? 1 : 0)
        }
        guard pid > 0 else { throw SystemError("cannot start \(executable): \(String(cString: strerror(-pid)))") }
        return ChildProcess(pid: pid)
    }

    /// Sends a signal; false when the process is gone.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool { kill(pid, signal) == 0 }

    /// Reaps the process if it has ended, without blocking.
    public func poll() -> Termination? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return Termination(waitStatus: status) }
        if result < 0 && errno == ECHILD { return .exited(-1) }  // already reaped elsewhere
        return nil
    }

    /// Blocks this thread until the process ends. Call it from a dedicated thread or a synchronous tool.
    public func wait() -> Termination {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { return Termination(waitStatus: status) }
            if result < 0 && errno != EINTR { return .exited(-1) }
        }
    }

    /// Polls until the process ends or `seconds` pass.
    public func wait(upTo seconds: Double) -> Termination? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let termination = poll() { return termination }
            usleep(5_000)
        }
        return poll()
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; reaps the process either way. A process that
    /// has ended (or was reaped already) gets no signal: its pid may belong to another by now.
    @discardableResult
    public func stop(grace: Double = 5) -> Termination {
        if let ended = poll() { return ended }
        signal(SIGTERM)
        if let termination = wait(upTo: grace) { return termination }
        signal(SIGKILL)
        return wait()
    }
}

public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Signal names as people write them.
public enum SignalName {
    private static let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
        SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
        SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
    ]

    public static func of(_ signal: Int32) -> String { names[signal] ?? "signal \(signal)" }

    /// "SIGTERM", "TERM" or "15" to a number.
    public static func parse(_ text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let wanted = text.uppercased().hasPrefix("SIG") ? text.uppercased() : "SIG" + text.uppercased()
        return names.first { $0.value == wanted }?.key
    }
}
