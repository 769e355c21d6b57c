/// The one rule for a task name given to Petal (enqueue, schedules, rate limits): 1 to 200 characters.
public enum TaskName {
    public static func validate(_ name: String) throws(PetalError) {
        guard !name.isEmpty, name.count <= 200 else { throw .invalidRequest("task name must be 1 to 200 characters") }
    }
}
