/// What is wrong with a schedule's definition, in words an operator can act on.
public enum ScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidCron(text: String, reason: String)
    case invalidInterval(text: String, reason: String)
    case unknownTimeZone(String)
    case invalidName(String)
    case invalidField(String)

    public var description: String {
        switch self {
        case .invalidCron(let text, let reason): return "cron expression '\(text)' is not valid: \(reason)"
        case .invalidInterval(let text, let reason): return "interval '\(text)' is not valid: \(reason)"
        case .unknownTimeZone(let name): return "unknown time zone '\(name)' (use an IANA name such as Europe/Berlin or UTC)"
        case .invalidName(let reason): return "schedule name \(reason)"
        case .invalidField(let reason): return reason
        }
    }
}
