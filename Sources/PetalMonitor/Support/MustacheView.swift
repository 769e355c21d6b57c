import Mustache

/// A view model whose fields Mustache reads through a table of key paths instead of `Mirror`:
/// reflection was most of a page's cost (a dashboard with 200 workers spent 40 % of its time in
/// it). `MustacheViewTests` checks every table against the type's stored properties.
protocol MustacheView: MustacheParent {
    static var mustacheKeys: [String: PartialKeyPath<Self> & Sendable] { get }
}

extension MustacheView {
    func child(named name: String) -> Any? {
        guard let path = Self.mustacheKeys[name] else { return nil }
        let value = self[keyPath: path]
        // An optional field comes back boxed in Any; Mustache must see nil, not "nil".
        if let optional = value as? any OptionalField { return optional.unwrapped }
        return value
    }

    static var mustacheKeyNames: [String] { Array(mustacheKeys.keys) }
}

/// Lets `MustacheView` unwrap optional fields that a key path returns as `Any`.
protocol OptionalField {
    var unwrapped: Any? { get }
}

extension Optional: OptionalField {
    var unwrapped: Any? { self.map { $0 as Any } }
}
