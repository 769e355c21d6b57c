import Foundation

/// `.env` files, read as honcho reads them: `KEY=VALUE` lines, `#` comments, an optional `export `.
/// A value is unquoted as a shell would (single quotes literal; `\"` and `\\` inside double quotes;
/// outside quotes a backslash keeps the next character), then `\n` and `\t` anywhere become a
/// newline and a tab (honcho's rule, so inside single quotes too, where foreman keeps them).
/// Unlike honcho, spaces inside an unquoted value are kept (`A=plain value`), as foreman does.
///
/// A line that cannot be read is skipped with a warning, never an error: honcho skips those lines
/// (an invalid name, no `=`) and a project that runs under honcho must run under Petal.
public enum EnvFile {
    public static func parse(_ text: String, file: String = ".env") -> (pairs: [(String, String)], warnings: [FileWarning]) {
        var pairs: [(String, String)] = []
        var warnings: [FileWarning] = []
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = Substring(rawLine.trimmingWhitespace())
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = Substring(line.dropFirst(7).trimmingWhitespace()) }
            func skip(_ reason: String) { warnings.append(FileWarning(file: file, line: offset + 1, reason: reason + ": line skipped")) }
            guard let equals = line.firstIndex(of: "=") else { skip("expected KEY=VALUE"); continue }
            let key = String(line[..<equals]).trimmingWhitespace()
            guard isValidKey(key) else { skip("'\(key)' is not a variable name"); continue }
            let rest = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard let unquoted = unquote(rest) else { skip("unterminated quote"); continue }
            pairs.append((key, unquoted.replacingEscapes()))
        }
        return (pairs, warnings)
    }

    /// Shell unquoting of one value; nil when a quote is not closed. Unquoted whitespace followed
    /// by `#` starts a comment; unquoted whitespace at the end is dropped.
    static func unquote(_ text: String) -> String? {
        var result = ""
        var pendingSpace = ""
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if character == " " || character == "\t" {
                if characters.first == "#" { break }
                pendingSpace.append(character)
                continue
            }
            result += pendingSpace
            pendingSpace = ""
            switch character {
            case "'":
                guard let close = characters.firstIndex(of: "'") else { return nil }
                result += String(characters[..<close])
                characters = characters[(close + 1)...]
            case "\"":
                var closed = false
                while let inner = characters.popFirst() {
                    if inner == "\"" { closed = true; break }
                    if inner == "\\", let next = characters.first, next == "\"" || next == "\\" {
                        result.append(characters.removeFirst())
                    } else {
                        result.append(inner)
                    }
                }
                guard closed else { return nil }
            case "\\":
                if let next = characters.popFirst() { result.append(next) }
            default:
                result.append(character)
            }
        }
        return result
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}

private extension String {
    func replacingEscapes() -> String {
        replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\t", with: "\t")
    }
}
