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

    public func validate() -> Outcome {
        var errors: [String: String] = [:]
        let name = person.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors["person"] = "Please enter a name." }
        else if name.count > 100 { errors["person"] = "A name can be at most 100 characters." }
        let steps = Int(total.trimmingCharacters(in: .whitespaces))
        if steps == nil { errors["total"] = "Steps must be a whole number from 1 to 100." }
        else if let steps, !(1...100).contains(steps) { errors["total"] = "Steps must be from 1 to 100." }
        if errors.isEmpty, let steps { return .valid(person: name, total: steps) }
        return .invalid(errors)
    }
}
