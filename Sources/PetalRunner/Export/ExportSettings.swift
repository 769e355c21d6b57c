/// What every format needs besides the processes: honcho's `-a`, `-u`, `-l`, `-s` and the app root.
public struct ExportSettings: Sendable {
    public var app: String
    /// The user the processes run as (default: the app's name, as honcho).
    public var user: String
    /// Where the processes' logs go (supervisord, runit); default `/var/log/APP`.
    public var logDirectory: String
    public var shell: String
    /// Absolute: service managers do not start in the folder `petal export` ran in.
    public var appRoot: String

    public init(app: String, user: String? = nil, logDirectory: String? = nil, shell: String = "/bin/sh", appRoot: String) {
        self.app = app
        self.user = user ?? app
        self.logDirectory = logDirectory ?? "/var/log/\(app)"
        self.shell = shell
        self.appRoot = appRoot
    }
}
