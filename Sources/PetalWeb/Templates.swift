import Mustache

/// Loads an app's Mustache templates. Templates that start with `{{% CONTENT_TYPE: HTML_UTF8}}`
/// escape their `{{ }}` values with `UTF8HTMLEscaping`, registered here before parsing (the
/// pragma is looked up when a template is parsed).
public enum Templates {
    public static let contentTypeName = "HTML_UTF8"

    public static func load(directory: String) async throws -> MustacheLibrary {
        MustacheContentTypes.register(UTF8HTMLEscaping(), named: contentTypeName)
        return try await MustacheLibrary(directory: directory)
    }
}

/// HTML escaping done on UTF-8 bytes: the same five characters as swift-mustache's own `HTML`
/// content type (& < > " '), which looks each Character up in a dictionary and was a seventh of
/// a task list's rendering time. Text with nothing to escape comes back as it is.
public struct UTF8HTMLEscaping: MustacheContentType {
    public init() {}

    public func escapeText(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: Self.isSpecial) else { return text }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count + 32)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): escaped.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): escaped.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): escaped.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): escaped.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): escaped.append(contentsOf: "&#39;".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
