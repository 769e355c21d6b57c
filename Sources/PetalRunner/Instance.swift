import PetalSystem

/// One running copy of a process type: `worker.2`.
struct Instance {
    enum State: String { case running, stopping, exited }

    let type: String
    let index: Int
    var process: ChildProcess
    /// Read end of the pipe that carries the instance's stdout and stderr.
    var output: Int32
    var state = State.running
    var startedAt: Double
    var restarts = 0
    /// Asked to stop on purpose (scale down, stop, restart): its exit is not a failure.
    var stopRequested = false
    /// Restart it once it has exited (`petal restart`).
    var restartRequested = false
    var killDeadline: Double?

    var name: String { "\(type).\(index)" }
}
