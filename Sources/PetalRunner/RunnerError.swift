/// What the runner refuses, with enough detail to fix it.
public enum RunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidFile(file: String, line: Int, reason: String)
    case missingFile(String)
    case invalidFormation(String)
    case invalidPort(String)
    case unknownProcess(String)
    case control(String)

    public var description: String {
        switch self {
        case .invalidFile(let file, let line, let reason): return line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
        case .missingFile(let path): return "\(path) does not exist or is not a file"
        case .invalidFormation(let reason): return "invalid concurrency: \(reason)"
        case .invalidPort(let value): return "invalid value for port: '\(value)'"
        case .unknownProcess(let name): return "no process named '\(name)'"
        case .control(let reason): return reason
        }
    }
}
