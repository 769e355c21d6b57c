/// The one rule for queue names, used by every entry point: enqueue, the worker's `--queues` and
/// `add_consumer`/`cancel_consumer`, pause, resume and purge (and the monitor and CLI through
/// them). A queue is a Redis key part and a path segment in the monitor, so the rule is narrow:
/// 1 to 100 letters, digits, '.', '_' or '-'. Job ids a caller chooses follow the same rule.
public enum QueueName {
    public static let maximumLength = 100

    /// The rule as an HTML `pattern` attribute, so a browser refuses a bad name before sending it.
    public static let htmlPattern = "[A-Za-z0-9._\\-]{1,\(maximumLength)}"

    /// What the rule says, for error messages and help text.
    public static let rule = "1 to \(maximumLength) letters, digits, '.', '_' or '-'"

    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumLength && name.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 46 || byte == 95 || byte == 45
        }
    }

    /// Throws `PetalError.invalidRequest` naming the queue and the rule when `name` breaks it.
    public static func validate(_ name: String) throws(PetalError) {
        guard isValid(name) else { throw .invalidRequest(message(for: name)) }
    }

    /// "queue name 'a b' must be 1 to 100 letters, digits, '.', '_' or '-'"
    public static func message(for name: String) -> String {
        "queue name '\(name.prefix(120))' must be \(rule)"
    }
}
