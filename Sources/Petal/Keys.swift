/// Every Redis key and channel of the protocol, built from one prefix (default "petal").
/// docs/PROTOCOL.md describes each one: its type, who writes it and how long it lives.
public struct Keys: Sendable, Hashable {
    public let prefix: String

    public init(prefix: String = "petal") { self.prefix = prefix }

    public func job(_ id: String) -> String { "\(prefix):job:\(id)" }
    public func children(of id: String) -> String { "\(prefix):job:\(id):children" }
    public func queue(_ name: String) -> String { "\(prefix):queue:\(name)" }
    public func bell(_ queue: String) -> String { "\(prefix):bell:\(queue)" }
    public var queues: String { "\(prefix):queues" }
    public var paused: String { "\(prefix):paused" }
    public var tasks: String { "\(prefix):tasks" }
    public var scheduled: String { "\(prefix):scheduled" }
    public var dead: String { "\(prefix):dead" }
    public var revoked: String { "\(prefix):revoked" }
    public func inflight(_ worker: String) -> String { "\(prefix):inflight:\(worker)" }

    public var jobs: String { "\(prefix):jobs" }
    public func jobs(state: JobState) -> String { "\(prefix):jobs:state:\(state.rawValue)" }
    public func jobs(task: String) -> String { "\(prefix):jobs:task:\(task)" }
    public func jobs(queue: String) -> String { "\(prefix):jobs:queue:\(queue)" }
    public func jobs(worker: String) -> String { "\(prefix):jobs:worker:\(worker)" }
    public func group(_ name: String) -> String { "\(prefix):group:\(name)" }

    /// Periodic schedules: the set of names scored by next run, one hash per schedule, and the
    /// claim of one tick (docs/PROTOCOL.md, "Schedules").
    public var schedules: String { "\(prefix):schedules" }
    public func schedule(_ name: String) -> String { "\(prefix):schedule:\(name)" }
    public func scheduleClaim(_ name: String, tick: String) -> String { "\(prefix):schedules:claim:\(name):\(tick)" }

    /// Rate limits (docs/PROTOCOL.md, "Rate limits"): fleet-wide limits by task, the code's
    /// declarations, each task's last start, and the jobs waiting for their slot.
    public var rateLimits: String { "\(prefix):ratelimits" }
    public var rateLimitsDeclared: String { "\(prefix):ratelimits:code" }
    public var rateLimitsLast: String { "\(prefix):ratelimits:last" }
    public func rateWaiting(queue: String) -> String { "\(prefix):ratewait:queue:\(queue)" }
    public func rateWaiting(task: String) -> String { "\(prefix):ratewait:task:\(task)" }

    public var events: String { "\(prefix):events" }
    public func statsMinute(_ epochMinute: Int) -> String { "\(prefix):stats:minute:\(epochMinute)" }
    public func statsDay(_ epochDay: Int) -> String { "\(prefix):stats:day:\(epochDay)" }
    public var statsTotal: String { "\(prefix):stats:total" }

    public var workers: String { "\(prefix):workers" }
    public func worker(_ name: String) -> String { "\(prefix):worker:\(name)" }
    public func workerStats(_ name: String) -> String { "\(prefix):worker:\(name):stats" }
    public func workerTasks(_ name: String) -> String { "\(prefix):worker:\(name):tasks" }
    public func workerLimits(_ name: String) -> String { "\(prefix):worker:\(name):limits" }
    public func workerRateLimits(_ name: String) -> String { "\(prefix):worker:\(name):ratelimits" }
    public func workerRateLimitsLast(_ name: String) -> String { "\(prefix):worker:\(name):ratelimits:last" }

    public var controlChannel: String { "\(prefix):control" }
    /// One worker's own channel: its supervisor listens here, so a PUBLISH answers whether it is
    /// alive even when it could not write its heartbeat (reap's probe, a name claimed twice).
    public func controlChannel(worker: String) -> String { "\(prefix):control:\(worker)" }
    public func reply(_ id: String) -> String { "\(prefix):reply:\(id)" }
    public func jobChannel(_ id: String) -> String { "\(prefix):channel:job:\(id)" }
    public func groupChannel(_ group: String) -> String { "\(prefix):channel:group:\(group)" }
}
