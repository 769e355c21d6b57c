/// A job's state, named as Celery names them.
public enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting in a queue, or scheduled for later (countdown/ETA).
    case pending = "PENDING"
    /// Taken by a worker but not yet running (Petal marks RECEIVED and STARTED in one step, so this
    /// is only seen from other implementations of the protocol).
    case received = "RECEIVED"
    case started = "STARTED"
    /// Running and has reported progress.
    case progress = "PROGRESS"
    case success = "SUCCESS"
    case failure = "FAILURE"
    /// Failed and waiting for its next attempt.
    case retry = "RETRY"
    case revoked = "REVOKED"

    /// SUCCESS, FAILURE and REVOKED never change again.
    public var isFinal: Bool { self == .success || self == .failure || self == .revoked }

    /// Parses a state name case-insensitively ("failure", "FAILURE").
    public init?(name: String) { self.init(rawValue: name.uppercased()) }
}
