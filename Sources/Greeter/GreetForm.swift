import Foundation

/// The greeting form as submitted, and what is wrong with it.
public struct GreetForm: Sendable, Equatable {
    public var person: String
    public var total: String

    public init(person: String, total: String) {
        self.person = person
        self.total = total
    }

    /// Validated values, or a message per field.
    public enum Outcome: Sendable, Equatable {
        case valid(person: String, total: Int)
        case invalid([String: String])
    }

    /// Characters as people count them (grapheme clusters), and Unicode scalars: one "character"
    /// can carry any number of combining marks, so the first bound alone lets "a" plus 7,000
    /// accents through as one. 400 scalars leave room for every real name's accents and emoji.
    static let maxNameCharacters = 100
    static let maxNameScalars = 400

    public func validate() -> Outcome {
        var errors: [String: String] = [:]
        let name = person.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors["person"] = "Please enter a name." }
        else if name.count > Self.maxNameCharacters { errors["person"] = "A name can be at most 100 characters." }
        else if name.unicodeScalars.count > Self.maxNameScalars {
            errors["person"] = "A name can be at most 100 characters (and at most 400 letters and accents in all)."
        }
        let steps = Int(total.trimmingCharacters(in: .whitespaces))
        if steps == nil { errors["total"] = "Steps must be a whole number from 1 to 100." }
        else if let steps, !(1...100).contains(steps) { errors["total"] = "Steps must be from 1 to 100." }
        if errors.isEmpty, let steps { return .valid(person: name, total: steps) }
        return .invalid(errors)
    }
}
