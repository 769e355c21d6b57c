import Hummingbird
import Logging

/// The request context of the monitor's routes: Hummingbird's core plus this request's CSRF token.
public struct MonitorRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token forms must send back (double-submit: it is also in the `petal_csrf` cookie).
    var csrfToken = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
