/// How many jobs a child takes per call to Redis. One while jobs run long, so no job waits in a
/// child behind a long one while other children are idle; twice as many after each short job, up
/// to the worker's limit, so that while jobs are short each call carries several of them (Redis
/// then moves their index entries and counters with one command per key, not one per job).
struct PrefetchPolicy: Sendable, Equatable {
    /// A job that ran less than this (seconds) is short.
    static let shortJob = 0.005
    /// How long the outcome of a short job may wait for the next ones before it is acknowledged.
    static let acknowledgementDelay = 0.02
    /// A job still running after this long (seconds) is long: the child gives back the jobs it took
    /// ahead, so they do not wait behind it while other children could run them.
    static let releaseAfter = 0.05

    let limit: Int
    private(set) var size = 1

    init(limit: Int) { self.limit = max(1, limit) }

    mutating func ran(for runtime: Double) {
        size = runtime < Self.shortJob ? min(limit, size * 2) : 1
    }
}
