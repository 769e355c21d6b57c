import Foundation
import Hummingbird
import Mustache
import PetalWeb

/// What every page's layout needs: where the app is mounted, the form token, the active tab.
struct Layout: Sendable {
    let base: String
    let csrf: String
    let title: String
    let notice: String?
    let problem: String?
    let navDashboard: Bool
    let navTasks: Bool
    let navQueues: Bool
    let navProcesses: Bool
    let navSchedules: Bool

    init(base: String, csrf: String, title: String, nav: String, notice: String?, problem: String?) {
        self.base = base
        self.csrf = csrf
        self.title = title
        self.notice = notice
        self.problem = problem
        navDashboard = nav == "dashboard"
        navTasks = nav == "tasks"
        navQueues = nav == "queues"
        navProcesses = nav == "processes"
        navSchedules = nav == "schedules"
    }
}

/// Renders the monitor's Mustache templates into HTML responses.
struct PageRenderer: Sendable {
    let templates: MustacheLibrary
    let base: String
    /// Seals the notices redirects carry, so a link someone else wrote cannot put words in the
    /// monitor's banner ("session expired, log in at …").
    let signer: MessageSigner

    func layout(_ request: Request, _ context: MonitorRequestContext, title: String, nav: String) -> Layout {
        let parameters = request.formQuery
        let notice = parameters["notice"].flatMap { $0.isEmpty ? nil : String($0.prefix(300)) }
        let problem = parameters["problem"].flatMap { $0.isEmpty ? nil : String($0.prefix(300)) }
        let sealed = (notice != nil || problem != nil) && parameters["seal"] == seal(notice: notice, problem: problem)
        return Layout(base: base, csrf: context.csrfToken, title: title, nav: nav,
                      notice: sealed ? notice : nil, problem: sealed ? problem : nil)
    }

    private func seal(notice: String?, problem: String?) -> String {
        signer.signature("notice\u{0}" + (notice ?? "") + "\u{0}" + (problem ?? ""))
    }

    func page(_ model: some Sendable, template: String, status: HTTPResponse.Status = .ok) throws -> HTML {
        HTML(try fragment(model, template: template), status: status)
    }

    /// A template rendered on its own: a whole page, or a piece a page keeps between requests.
    func fragment(_ model: some Sendable, template: String) throws -> String {
        guard let html = templates.render(model, withTemplate: template) else {
            throw HTTPError(.internalServerError, message: "template \(template) is missing")
        }
        return html
    }

    /// 303 back to a page with a message for the visitor (escaped when shown).
    func redirect(_ path: String, notice: String? = nil, problem: String? = nil) -> Response {
        var location = base + path
        var query: [String] = []
        let notice = notice.map { String($0.prefix(300)) }, problem = problem.map { String($0.prefix(300)) }
        if let notice { query.append("notice=" + Self.encode(notice)) }
        if let problem { query.append("problem=" + Self.encode(problem)) }
        if notice != nil || problem != nil { query.append("seal=" + seal(notice: notice, problem: problem)) }
        if !query.isEmpty { location += (location.contains("?") ? "&" : "?") + query.joined(separator: "&") }
        return Response(status: .seeOther, headers: [.location: location])
    }

    /// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
    static func encode(_ text: String) -> String {
        if text.utf8.allSatisfy(isUnreserved) { return text }
        var encoded = ""
        for byte in text.utf8 {
            if isUnreserved(byte) { encoded.unicodeScalars.append(Unicode.Scalar(byte)) } else { encoded += "%" + hex[Int(byte >> 4)] + hex[Int(byte & 15)] }
        }
        return encoded
    }

    private static let hex = "0123456789ABCDEF".map { String($0) }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension Layout: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "base": \.base,
        "csrf": \.csrf,
        "title": \.title,
        "notice": \.notice,
        "problem": \.problem,
        "navDashboard": \.navDashboard,
        "navTasks": \.navTasks,
        "navQueues": \.navQueues,
        "navProcesses": \.navProcesses,
        "navSchedules": \.navSchedules,
    ]
}
