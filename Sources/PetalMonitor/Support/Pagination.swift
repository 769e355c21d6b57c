/// Previous/next links and "41–55 of 230" for a paged list; links keep the other parameters.
struct Pagination: Sendable {
    let summary: String
    let previous: String?
    let next: String?

    /// `path` is the page's path with its other query parameters (without offset).
    init(path: String, offset: Int, limit: Int, shown: Int, total: Int?, hasMore: Bool) {
        let joiner = path.contains("?") ? "&" : "?"
        let first = shown == 0 ? 0 : offset + 1
        let last = offset + shown
        summary = switch (total, shown) {
        case (let total?, 0): "none of \(total)"  // an offset past the end
        case (let total?, _): "\(first)–\(last) of \(total)"
        case (nil, 0): "none"
        case (nil, _): "\(first)–\(last)"
        }
        previous = offset > 0 ? path + joiner + "offset=\(max(0, offset - limit))" : nil
        let more = total.map { last < $0 } ?? hasMore
        next = more ? path + joiner + "offset=\(offset + limit)" : nil
    }
}

/// Builds query strings from name/value pairs, leaving out empty values.
enum QueryString {
    static func make(_ pairs: [(String, String?)]) -> String {
        let parts = pairs.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + PageRenderer.encode(value)
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension Pagination: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "summary": \.summary,
        "previous": \.previous,
        "next": \.next,
    ]
}
