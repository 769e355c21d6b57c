import Foundation

/// How `petal start` runs a Procfile.
public struct RunnerOptions: Sendable {
    /// Only these process types (empty: all).
    public var only: [String] = []
    public var concurrency: String?
    /// Process types whose output is not shown (`-q`, as honcho's); the runner's own lines about
    /// them still are.
    public var quiet: Set<String> = []
    /// Base port; else PORT from the processes' environment, else 5000.
    public var basePort: Int?
    /// Seconds between SIGTERM and SIGKILL at shutdown.
    public var timeout: Double = 10
    /// Restart a process that exits instead of stopping everything (with backoff).
    public var restart = false
    /// The control socket (`petal ps`, `petal scale` ...).
    public var socketPath: String = ".petal/runner.sock"
    public var style = OutputMux.Style(color: false, prefix: true)

    public init() {}
}
