import Petal

/// A job as the socket shows it: `{id, task, state, current, total, status}` plus `result` after
/// SUCCESS and `error` (friendly words, never a traceback) after FAILURE or REVOKED. Calls answer
/// with it, and the channel notices are turned into it before they are pushed.
enum SocketJob {
    static func json(_ view: JobView) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(view.id), "task": .string(view.task), "state": .string(view.state),
            "current": .number(Double(view.current)), "total": .number(Double(view.total)), "status": .string(view.status),
        ]
        if view.state == JobState.success.rawValue { object["result"] = view.result.map(JSONValue.string) ?? .null }
        if view.failed { object["error"] = .string(view.status) }
        return .object(object)
    }

    /// A group channel notice (docs/PROTOCOL.md: `{"id","task","state","group","ts"}` plus progress,
    /// `result` or `exception`) as a job object; nil when it is not one. The group and the raw
    /// exception are left out: the page gets what it shows.
    static func json(notice payload: String) -> JSONValue? {
        guard let notice = try? JSONValue(parsing: payload), let id = notice["id"]?.stringValue,
              let state = notice["state"]?.stringValue else { return nil }
        let current = notice["current"]?.doubleValue ?? 0
        let total = notice["total"]?.doubleValue ?? 0
        var object: [String: JSONValue] = [
            "id": .string(id), "task": .string(notice["task"]?.stringValue ?? ""), "state": .string(state),
            "current": .number(Double(Int(saturating: current))), "total": .number(Double(Int(saturating: total))),
        ]
        if let message = notice["message"]?.stringValue { object["status"] = .string(message) }
        if state == JobState.success.rawValue {
            // The notice carries the result as JSON text; shown as JobView shows it (a string as is).
            let result = notice["result"]?.stringValue.map { (try? JSONValue(parsing: $0)) ?? .string($0) } ?? .null
            object["result"] = result == .null ? .null : .string(result.stringValue ?? result.jsonText)
        }
        if state == JobState.failure.rawValue || state == JobState.revoked.rawValue {
            object["error"] = .string(state == JobState.revoked.rawValue && notice["exception"] == nil
                                      ? "This job was cancelled." : JobView.friendly(notice["exception"]?.stringValue))
        }
        return .object(object)
    }
}
