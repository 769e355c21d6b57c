/// Why a worker refuses: a setting it cannot run with, a name another worker holds, or a control
/// command it cannot carry out. (Tasks fail with `TaskFailure` and its kin; these are the worker's
/// own refusals, and their text is what the operator reads.)
public enum WorkerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting out of range (`petal worker` exits 64 saying which).
    case invalidConfiguration(String)
    /// Another live worker holds the name (`petal worker` exits non-zero; choose another --name).
    case nameInUse(name: String, holder: String)
    /// A control command this worker cannot carry out now; the reply's `error`.
    case controlRefused(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message), .controlRefused(let message): message
        case .nameInUse(let name, let holder): "a worker named \(name) is already running (\(holder)); choose another --name"
        }
    }
}
