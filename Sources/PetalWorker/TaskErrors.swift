/// Thrown inside a task once its soft time limit has passed. A task may catch it and return a
/// fallback (the greeter answers "Greetings, fallback!"); uncaught, the job ends FAILURE.
public struct SoftTimeLimitExceeded: Error, CustomStringConvertible, Sendable {
    public let limit: Double
    public var description: String { "SoftTimeLimitExceeded: soft time limit (\(Self.seconds(limit))) exceeded" }
    static func seconds(_ value: Double) -> String { Int(exactly: value).map { "\($0)s" } ?? "\(value)s" }
}

/// Thrown by a task to ask for another attempt (Celery's `self.retry()`), after `countdown`
/// seconds or the usual backoff. Counts against the job's max retries.
public struct RetryRequest: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public let countdown: Double?
    public init(_ reason: String, countdown: Double? = nil) {
        self.reason = reason
        self.countdown = countdown
    }
    public var description: String { "Retry: \(reason)" }
}

/// A failure with a plain message, for tasks that want a clear error without a type of their own.
public struct TaskFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Bad arguments given to a task (wrong count or type).
public struct InvalidArguments: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "InvalidArguments: \(message)" }
}

/// A typed task returned a value JSON cannot carry (NaN, an integer beyond ±2^53). Not retried:
/// the same run would return it again.
public struct InvalidResult: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "InvalidResult: \(message)" }
}
