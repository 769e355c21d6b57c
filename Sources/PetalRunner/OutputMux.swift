import Foundation
import PetalSystem

/// Writes every child's output as whole lines prefixed `HH:MM:SS name.1 | `, aligned, coloured
/// per process on a terminal. One writer (the runner's loop) and one write per batch of lines,
/// so lines never interleave mid-line.
public final class OutputMux {
    public struct Style: Sendable {
        public var color: Bool
        public var prefix: Bool
        public init(color: Bool, prefix: Bool) {
            self.color = color
            self.prefix = prefix
        }

        /// Colour only on a terminal, and never when asked for none (`--no-color`, NO_COLOR).
        public static func detect(descriptor: Int32, noColor: Bool, noPrefix: Bool) -> Style {
            Style(color: !noColor && isatty(descriptor) == 1, prefix: !noPrefix)
        }
    }

    static let palette = ["36", "33", "32", "35", "31", "34", "96", "93", "92", "95", "91", "94"]

    private let descriptor: Int32
    private let style: Style
    private var width: Int
    private var colors: [String: String] = [:]
    private var partial: [String: [UInt8]] = [:]

    public init(descriptor: Int32 = 1, style: Style, names: [String]) {
        self.descriptor = descriptor
        self.style = style
        width = max(names.map(\.count).max() ?? 0, "system".count)
        for (index, name) in names.enumerated() { colors[name] = Self.palette[index % Self.palette.count] }
    }

    /// Makes room for a new name (after `scale`) and gives it a colour.
    public func register(_ name: String) {
        width = max(width, name.count)
        if colors[name] == nil { colors[name] = Self.palette[colors.count % Self.palette.count] }
    }

    /// Output of `name`: complete lines go out now, a trailing partial line waits for the rest.
    public func write(_ name: String, bytes: ArraySlice<UInt8>) {
        var pending = partial[name] ?? []
        pending.append(contentsOf: bytes)
        guard let lastNewline = pending.lastIndex(of: 10) else {
            partial[name] = pending
            return
        }
        let complete = pending[...lastNewline]
        partial[name] = Array(pending[(lastNewline + 1)...])
        emit(name, lines: complete.split(separator: 10, omittingEmptySubsequences: false).dropLast())
    }

    /// Writes what is left of `name`'s last line (at exit) as a line of its own.
    public func flush(_ name: String) {
        guard let pending = partial[name], !pending.isEmpty else { return }
        partial[name] = []
        emit(name, lines: [pending[...]])
    }

    /// The runner's own messages, under the name `system`.
    public func system(_ message: String) {
        emit("system", lines: [ArraySlice(Array(message.utf8))])
    }

    private func emit<Lines: Collection>(_ name: String, lines: Lines) where Lines.Element == ArraySlice<UInt8> {
        var output: [UInt8] = []
        let prefix = Array(prefixText(for: name).utf8)
        output.reserveCapacity(lines.reduce(0) { $0 + $1.count + prefix.count + 1 })
        for line in lines {
            output.append(contentsOf: prefix)
            output.append(contentsOf: line.last == 13 ? line.dropLast() : line)
            output.append(10)
        }
        _ = writeAll(descriptor, output)
    }

    private func prefixText(for name: String) -> String {
        guard style.prefix else { return "" }
        var time = time_t(Date().timeIntervalSince1970)
        var parts = tm()
        localtime_r(&time, &parts)
        let clock = [parts.tm_hour, parts.tm_min, parts.tm_sec].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        let padded = name + String(repeating: " ", count: max(0, width - name.count))
        let label = "\(clock) \(padded) | "
        guard style.color, let color = colors[name] ?? (name == "system" ? "1" : nil) else { return label }
        return "\u{1B}[\(color)m\(label)\u{1B}[0m"
    }
}
