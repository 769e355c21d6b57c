import PetalWeb

/// Everything `petal monitor` is started with. Tests build one with their own ports and paths.
public struct MonitorConfiguration: Sendable {
    public var address: String
    public var port: Int
    /// Shown on the 503 page when Redis cannot be reached (credentials stripped by the caller).
    public var redisDisplayURL: String
    /// `user:password`; nil leaves the monitor open (it then binds to loopback unless told otherwise).
    public var basicAuth: String?
    /// Mount point behind a reverse proxy, e.g. "/monitor"; "" for the root.
    public var urlPrefix: String
    public var templatesDirectory: String
    public var staticDirectory: String
    /// The Procfile runner's control socket (PETAL_RUNNER_SOCKET), for the Processes page.
    public var runnerSocket: String?
    /// Host names answered besides IP literals, localhost and `address` (--allowed-hosts).
    public var allowedHosts: [String]
    /// Signs CSRF tokens; random per start unless given (several monitors behind one name share it).
    public var secret: String

    public init(address: String = "127.0.0.1", port: Int = 5555, redisDisplayURL: String = "redis://127.0.0.1:6379",
                basicAuth: String? = nil, urlPrefix: String = "", templatesDirectory: String = "Templates",
                staticDirectory: String = "Static", runnerSocket: String? = nil, allowedHosts: [String] = [],
                secret: String = MessageSigner.randomSecret()) {
        self.address = address
        self.port = port
        self.redisDisplayURL = redisDisplayURL
        self.basicAuth = basicAuth
        self.urlPrefix = Self.normalised(prefix: urlPrefix)
        self.templatesDirectory = templatesDirectory
        self.staticDirectory = staticDirectory
        self.runnerSocket = runnerSocket
        self.allowedHosts = allowedHosts
        self.secret = secret
    }

    /// "monitor/" → "/monitor"; "/" → "".
    static func normalised(prefix: String) -> String {
        let trimmed = prefix.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? "" : "/" + trimmed
    }

    var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(address) }
}
