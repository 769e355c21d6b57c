/// Autoscale's rule, apart from processes and Redis: grow towards `max` while jobs wait (a waiting
/// job means no child was free to take it), by as many as wait; shrink by one a step towards `min`
/// once the pool has been partly idle for `idleGrace` seconds with nothing waiting.
public struct Autoscaler: Equatable, Sendable {
    public private(set) var min: Int
    public private(set) var max: Int
    public var idleGrace: Double

    public init(min: Int, max: Int, idleGrace: Double = 5) {
        self.min = min
        self.max = max
        self.idleGrace = idleGrace
    }

    /// What the supervisor sees at a step.
    public struct Observation: Equatable, Sendable {
        /// Jobs waiting on the worker's queues.
        public var waiting: Int
        /// Children with a job, and children able to take one (not stopping).
        public var busy: Int
        public var working: Int
        /// Seconds since every working child last had a job.
        public var secondsSinceFullyBusy: Double

        public init(waiting: Int, busy: Int, working: Int, secondsSinceFullyBusy: Double) {
            self.waiting = waiting
            self.busy = busy
            self.working = working
            self.secondsSinceFullyBusy = secondsSinceFullyBusy
        }
    }

    /// The pool size to aim for next, given the size aimed for now.
    public func nextTarget(from target: Int, seeing seen: Observation) -> Int {
        if seen.waiting > 0 && target < max { return Swift.min(max, target + seen.waiting) }
        if seen.waiting == 0 && seen.busy < seen.working && seen.secondsSinceFullyBusy > idleGrace && target > min { return target - 1 }
        return target
    }

    /// Widens the bounds to take in a size set by hand (`pool_grow` past max, `pool_shrink` under min).
    public mutating func include(_ target: Int) {
        max = Swift.max(max, target)
        min = Swift.min(min, target)
    }
}
