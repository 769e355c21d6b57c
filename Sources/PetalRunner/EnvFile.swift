/// `.env` files: `KEY=VALUE` lines, with an optional `export `, single quotes (literal), double
/// quotes (with `\n`, `\t`, `\"`, `\\` escapes), `#` comments and empty values.
public enum EnvFile {
    public static func parse(_ text: String, file: String = ".env") throws(RunnerError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.trimmingWhitespace())
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = Substring(line.dropFirst(7).trimmingWhitespace()) }
            func fail(_ reason: String) -> RunnerError { .invalidFile(file: file, line: offset + 1, reason: reason) }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected KEY=VALUE") }
            let key = String(line[..<equals]).trimmingWhitespace()
            guard isValidKey(key) else { throw fail("'\(key)' is not a variable name") }
            let rest = String(line[line.index(after: equals)...]).trimmingWhitespace()
            pairs.append((key, try value(of: rest, fail: fail)))
        }
        return pairs
    }

    private static func value(of text: String, fail: (String) -> RunnerError) throws(RunnerError) -> String {
        guard let first = text.first else { return "" }
        if first == "'" {
            guard let close = text.dropFirst().firstIndex(of: "'") else { throw fail("unterminated single quote") }
            try checkTrailing(text[text.index(after: close)...], fail: fail)
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if first == "\"" {
            var result = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                if character == "\"" {
                    try checkTrailing(text[text.index(after: index)...], fail: fail)
                    return result
                }
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { break }
                    switch text[index] {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "r": result.append("\r")
                    case let other: result.append(other)
                    }
                } else {
                    result.append(character)
                }
                index = text.index(after: index)
            }
            throw fail("unterminated double quote")
        }
        // Unquoted: a " #" starts a comment.
        if let comment = text.range(of: " #") { return String(text[..<comment.lowerBound]).trimmingWhitespace() }
        return text
    }

    private static func checkTrailing(_ rest: Substring, fail: (String) -> RunnerError) throws(RunnerError) {
        let trailing = rest.trimmingWhitespace()
        if !trailing.isEmpty && !trailing.hasPrefix("#") { throw fail("unexpected text after the closing quote") }
    }

    static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
