import Foundation

/// Walks a web app the way a person does: from a start page it follows every same-site link and
/// loads every stylesheet and script the pages name, then submits every form it found with the
/// values the form carries (a search box gets words with a space; tick boxes are ticked), as a
/// browser encodes them. Nothing is built by hand: every URL comes from a page.
public final class SiteCrawler {
    public struct Visit: Sendable, CustomStringConvertible {
        public let method: String
        public let url: String
        public let status: Int
        public let from: String
        /// A submitted form may be refused for its values (4xx with a message) but never be a 404 or 5xx.
        public var isForm = false
        public var description: String { "\(method) \(url) → \(status) (from \(from))" }
    }

    public struct Form: Sendable {
        public let method: String
        public let action: String
        public let fields: [(String, String)]
        public let page: String
    }

    private let http: HTTPTestClient
    public private(set) var visits: [Visit] = []
    public private(set) var forms: [Form] = []
    private var seen: Set<String> = []

    public init(http: HTTPTestClient) { self.http = http }

    /// One line per status: how the walk went, for a failure message or a log.
    public var summary: String {
        let statuses = Dictionary(grouping: visits, by: \.status).map { "\($0.key): \($0.value.count)" }.sorted().joined(separator: ", ")
        return "\(visits.count) requests (\(visits.filter(\.isForm).count) form submissions of \(forms.count) forms found); statuses \(statuses)"
    }

    /// Links that did not answer 2xx or 3xx (a redirect's target must be 2xx too), and forms that
    /// got a 404, a 5xx or no answer.
    public var failures: [Visit] {
        visits.filter { visit in
            visit.isForm ? (visit.status == 0 || visit.status == 404 || visit.status >= 500) : !(200..<400).contains(visit.status)
        }
    }

    /// Follows links breadth first from `start`, loading at most `limit` URLs.
    public func crawl(from start: [String], limit: Int = 300) async throws {
        var queue = start.map { ($0, "start") }
        while !queue.isEmpty, seen.count < limit {
            let (url, from) = queue.removeFirst()
            guard seen.insert(url).inserted else { continue }
            let reply = try await fetch("GET", url, from: from)
            guard reply.status == 200, reply.header("Content-Type")?.hasPrefix("text/html") == true else { continue }
            let page = try HTMLDocument(reply.body)
            let references = page.texts("//a/@href") + page.texts("//link/@href") + page.texts("//script/@src")
            for reference in references {
                if let next = resolve(reference, on: url), !seen.contains(next) { queue.append((next, url)) }
            }
            collectForms(page, on: url)
        }
    }

    /// Submits each distinct form once; `last` picks forms to leave to the end (shutting a worker down).
    public func submitForms(last: (Form) -> Bool = { _ in false }) async throws {
        var distinct: [String: Form] = [:]
        for form in forms {
            let key = form.method + " " + form.action + " " + form.fields.map(\.0).joined(separator: ",")
            if distinct[key] == nil { distinct[key] = form }
        }
        let ordered = distinct.values.sorted { ($0.action, $0.method) < ($1.action, $1.method) }
        for form in ordered.filter({ !last($0) }) + ordered.filter(last) {
            let body = form.fields.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
            if form.method == "get" {
                _ = try await fetch("GET", form.action + (form.action.contains("?") ? "&" : "?") + body, from: form.page, isForm: true)
            } else {
                _ = try await fetch("POST", form.action, body: body, from: form.page, isForm: true)
            }
        }
    }

    private func fetch(_ method: String, _ url: String, body: String? = nil, from: String, isForm: Bool = false) async throws -> HTTPTestClient.Reply {
        let reply: HTTPTestClient.Reply
        do {
            reply = method == "POST" ? try await http.post(url, encodedForm: body ?? "") : try await http.get(url)
        } catch {
            visits.append(Visit(method: method, url: url, status: 0, from: from, isForm: isForm))
            throw error
        }
        visits.append(Visit(method: method, url: url, status: reply.status, from: from, isForm: isForm))
        if (300..<400).contains(reply.status), let location = reply.header("Location"), let target = resolve(location, on: url) {
            let followed = try await http.get(target)
            visits.append(Visit(method: "GET", url: target, status: followed.status, from: "\(method) \(url)"))
            if followed.status == 200, followed.header("Content-Type")?.hasPrefix("text/html") == true {
                collectForms(try HTMLDocument(followed.body), on: target)
            }
        }
        return reply
    }

    private func collectForms(_ page: HTMLDocument, on url: String) {
        let count = page.count("//form")
        guard count > 0 else { return }
        for index in 1...count {
            let form = "(//form)[\(index)]"
            guard let attributes = page.elements(form).first else { continue }
            var fields: [(String, String)] = []
            for input in page.elements("\(form)//input") {
                guard let name = input["name"] else { continue }
                let type = input["type"]?.lowercased() ?? "text"
                if type == "submit" || type == "button" || type == "file" { continue }
                if type == "radio", input["checked"] == nil { continue }
                // What a person would type into an empty box: words with a space, a small number.
                let empty = switch type {
                case "number", "range": "1"
                case "checkbox": "on"
                case "hidden", "datetime-local", "date", "time", "month", "week", "color": ""
                default: "crawl test-\(name)"
                }
                var typed = name == "search" ? "hello world" : (input["value"].flatMap { $0.isEmpty ? nil : $0 } ?? empty)
                // A browser refuses to send what breaks the input's pattern: a person then types what fits.
                if let pattern = input["pattern"], typed.range(of: "^(?:\(pattern))$", options: .regularExpression) == nil { typed = "crawl-test" }
                fields.append((name, typed))
            }
            for select in page.elements("\(form)//select") {
                guard let name = select["name"] else { continue }
                let options = page.elements("\(form)//select[@name='\(name)']/option")
                let chosen = options.first { $0["selected"] != nil } ?? options.first
                fields.append((name, chosen?["value"] ?? ""))
            }
            for area in page.elements("\(form)//textarea") {
                if let name = area["name"] { fields.append((name, "text with spaces + symbols")) }
            }
            let action = attributes["action"].flatMap { resolve($0, on: url) } ?? url
            forms.append(Form(method: attributes["method"]?.lowercased() ?? "get", action: action, fields: fields, page: url))
        }
    }

    /// `reference` as a path on this site, or nil for another site, a fragment or a scheme like mailto:.
    private func resolve(_ reference: String, on page: String) -> String? {
        if reference.hasPrefix("#") || reference.hasPrefix("mailto:") || reference.hasPrefix("javascript:") || reference.isEmpty { return nil }
        guard let base = URL(string: http.base + page), let resolved = URL(string: reference, relativeTo: base)?.absoluteURL else {
            return "unparseable:" + reference
        }
        guard resolved.absoluteString.hasPrefix(http.base) else { return nil }
        let path = String(resolved.absoluteString.dropFirst(http.base.count))
        if let hash = path.firstIndex(of: "#") { return String(path[..<hash]) }
        return path
    }

    /// As a browser encodes a form field: unreserved characters as they are, spaces as +.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~ ")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: " ", with: "+")
    }
}
