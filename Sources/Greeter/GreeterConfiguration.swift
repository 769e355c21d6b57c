import Foundation

/// Everything the greeter's web app needs, passed in by the `greeter web` command or a test.
public struct GreeterConfiguration: Sendable {
    public var address: String
    public var port: Int
    /// Folders holding the templates and static files (absolute, so the app runs from anywhere).
    public var templatesDirectory: String
    public var staticDirectory: String
    /// Signs the visitor cookie.
    public var cookieSecret: String
    /// Where the greeter's jobs go (`greeter worker` consumes it; `petal worker`, without the
    /// greeter's tasks, does not).
    public var queue: String
    public static let defaultQueue = "greeter"
    /// Host names answered besides IP literals, localhost and `address` (--allowed-hosts).
    public var allowedHosts: [String]
    /// Calls in flight and message size per WebSocket (`/ws`).
    public var socketLimits: SocketLimits

    public init(address: String = "127.0.0.1", port: Int = 5554, templatesDirectory: String, staticDirectory: String,
                cookieSecret: String, queue: String = GreeterConfiguration.defaultQueue, allowedHosts: [String] = [],
                socketLimits: SocketLimits = SocketLimits()) {
        self.address = address
        self.port = port
        self.templatesDirectory = templatesDirectory
        self.staticDirectory = staticDirectory
        self.cookieSecret = cookieSecret
        self.queue = queue
        self.allowedHosts = allowedHosts
        self.socketLimits = socketLimits
    }
}
