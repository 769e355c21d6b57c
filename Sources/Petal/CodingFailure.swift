/// One line for an encoding or decoding error: the field's path from `root`, then what went wrong
/// (`kwargs.items[2].total: expected Int, got "ten"`). Errors a type's own `init(from:)` throws
/// are shown as they describe themselves.
public enum CodingFailure {
    public static func describe(_ error: any Error, root: String) -> String {
        guard let (keys, said) = parts(of: error) else { return "\(root): \(error)" }
        return "\(path(keys, root: root)): \(said)"
    }

    /// The path to the field an encoding or decoding error is about, and what it says of it; nil
    /// for other errors.
    public static func parts(of error: any Error) -> (path: [any CodingKey], said: String)? {
        switch error {
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return (context.codingPath, context.debugDescription)
        case EncodingError.invalidValue(_, let context):
            return (context.codingPath, context.debugDescription)
        case DecodingError.keyNotFound(let key, let context):
            return (context.codingPath + [key], context.debugDescription.hasPrefix("expected") ? context.debugDescription : "missing")
        default:
            return nil
        }
    }

    /// `root.a.b[2]`: array positions in brackets, keys after dots.
    public static func path(_ keys: [any CodingKey], root: String) -> String {
        keys.reduce(into: root) { text, key in
            if key is IndexKey, let index = key.intValue { text += "[\(index)]" } else { text += ".\(key.stringValue)" }
        }
    }
}
