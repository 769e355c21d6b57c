import Foundation

/// Quoting for the files `petal export` writes, one function per reader of those files.
enum Quoting {
    /// Python's shlex.quote (what honcho's templates use): as is when only safe characters, else
    /// single quotes, with `'` written as `'"'"'`.
    static func shell(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ $0.isASCII && (isWordCharacter($0) || "@%+=:,./-".unicodeScalars.contains($0)) }) {
            return text
        }
        return "'" + text.replacingAll("'", with: "'\"'\"'") + "'"
    }

    /// honcho's `dashrepl`: every character that is not a letter, digit or `_` becomes `-` (`web.1` → `web-1`).
    static func dashed(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isWordCharacter($0) ? $0 : "-" }))
    }

    /// A double-quoted word in a systemd unit: backslash escapes, `%%` for a literal `%` (specifiers),
    /// and, where systemd expands variables (ExecStart), `$$` for a literal `$`, so the shell sees `$PORT`.
    static func systemd(_ text: String, expandsVariables: Bool) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "%": quoted += "%%"
            case "$" where expandsVariables: quoted += "$$"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }

    /// A path in a systemd unit (WorkingDirectory= takes no quotes): only `%%` for a literal `%`.
    static func systemdPath(_ path: String) -> String { path.replacingAll("%", with: "%%") }

    /// A double-quoted value in a supervisord option: supervisord splits with shlex (so `,` and
    /// spaces need quotes) and expands `%(name)s` (so `%%`).
    static func supervisord(_ text: String) -> String {
        "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("%", with: "%%") + "\""
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

private extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }
}
