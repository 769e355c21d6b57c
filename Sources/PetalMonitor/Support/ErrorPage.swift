import Hummingbird
import PetalWeb

/// The monitor's error page (Templates/monitor/error, in the monitor's layout), which
/// `ErrorMiddleware` shows for any error outside /api and /metrics. While Redis is away the page
/// refreshes itself, and the next request succeeds once Redis is back (the client reconnects).
struct ErrorPage: Sendable {
    let layout: Layout
    let status: Int
    let heading: String
    let message: String
    let retrying: Bool

    /// The page renderer `ErrorMiddleware` calls.
    static func renderer(_ renderer: PageRenderer) -> ErrorMiddleware<MonitorRequestContext>.Page {
        { report, request, context in
            let page = ErrorPage(layout: renderer.layout(request, context, title: report.heading, nav: ""), status: Int(report.status.code),
                                 heading: report.heading, message: report.message, retrying: report.retrying)
            return try renderer.page(page, template: "monitor/error", status: report.status).response(from: request, context: context)
        }
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension ErrorPage: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "status": \.status,
        "heading": \.heading,
        "message": \.message,
        "retrying": \.retrying,
    ]
}
