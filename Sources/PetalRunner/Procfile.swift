/// A parsed Procfile: process types in file order.
public struct Procfile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let command: String
    }

    public let entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Parses `name: command` lines; `#` comments and blank lines are skipped. A malformed line
    /// is an error naming its line number.
    public init(parsing text: String, file: String = "Procfile") throws(RunnerError) {
        var entries: [Entry] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidFile(file: file, line: offset + 1, reason: "expected 'name: command'")
            }
            let name = String(line[..<colon]).trimmingWhitespace()
            let command = String(line[line.index(after: colon)...]).trimmingWhitespace()
            guard Self.isValidName(name) else {
                throw .invalidFile(file: file, line: offset + 1, reason: "process name '\(name)' must be letters, digits, '_' or '-'")
            }
            guard !command.isEmpty else { throw .invalidFile(file: file, line: offset + 1, reason: "'\(name)' has no command") }
            guard !entries.contains(where: { $0.name == name }) else {
                throw .invalidFile(file: file, line: offset + 1, reason: "process '\(name)' is defined twice")
            }
            entries.append(Entry(name: name, command: command))
        }
        guard !entries.isEmpty else { throw .invalidFile(file: file, line: 0, reason: "no processes defined") }
        self.entries = entries
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0)
            || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
