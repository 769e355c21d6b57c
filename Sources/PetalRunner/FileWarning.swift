/// A line of a Procfile or .env file that Petal skips. honcho skips such lines silently; Petal
/// reads the same files the same way but says which lines it left out and why.
public struct FileWarning: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(file):\(line): \(reason)" }
}
