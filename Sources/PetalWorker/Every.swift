/// Periodic work in a loop that turns often: due at most once per interval.
struct Every {
    let interval: Double
    private var last = 0.0

    init(_ interval: Double) { self.interval = interval }

    /// True (and restarts the interval) when the interval has passed since the last time.
    mutating func isDue(at now: Double) -> Bool {
        guard now - last >= interval else { return false }
        last = now
        return true
    }

    /// Due again after `seconds` rather than a whole interval (more work is waiting).
    mutating func again(after seconds: Double, now: Double) { last = now - interval + seconds }
}
