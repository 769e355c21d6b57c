/// A parsed Procfile: process types in file order.
public struct Procfile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let command: String
    }

    public let entries: [Entry]
    /// Lines that are neither `name: command`, a comment nor blank: skipped, as honcho skips them.
    public let warnings: [FileWarning]

    public init(entries: [Entry]) {
        self.entries = entries
        warnings = []
    }

    /// Parses `name: command` lines; `#` comments and blank lines are skipped, and so (with a
    /// warning) is any other line, as honcho does. A name defined twice is an error, as in honcho.
    /// A Procfile with no processes is valid.
    public init(parsing text: String, file: String = "Procfile") throws(RunnerError) {
        var entries: [Entry] = []
        var warnings: [FileWarning] = []
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            func skip(_ reason: String) { warnings.append(FileWarning(file: file, line: offset + 1, reason: reason + ": line skipped")) }
            guard let colon = line.firstIndex(of: ":") else { skip("expected 'name: command'"); continue }
            let name = String(line[..<colon]).trimmingWhitespace()
            let command = String(line[line.index(after: colon)...]).trimmingWhitespace()
            guard Self.isValidName(name) else { skip("process name '\(name)' must be letters, digits, '_' or '-'"); continue }
            guard !command.isEmpty else { skip("'\(name)' has no command"); continue }
            guard !entries.contains(where: { $0.name == name }) else {
                throw .invalidFile(file: file, line: offset + 1, reason: "process '\(name)' is defined twice")
            }
            entries.append(Entry(name: name, command: command))
        }
        self.entries = entries
        self.warnings = warnings
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
