/// Exponential backoff with jitter for reconnect loops: initial, doubling, capped at maximum.
public struct Backoff: Sendable {
    public let initial: Double
    public let maximum: Double
    private var current: Double

    public init(initial: Double = 0.1, maximum: Double = 5) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The next delay in seconds: the current step plus up to 20 % jitter, so many clients that lost
    /// Redis together do not all come back in the same millisecond.
    public mutating func next() -> Double {
        let delay = current * Double.random(in: 1.0...1.2)
        current = min(current * 2, maximum)
        return delay
    }

    public mutating func reset() { current = initial }
}
