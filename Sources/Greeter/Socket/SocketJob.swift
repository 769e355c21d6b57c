import Petal

/// A job as the socket shows it: `{id, task, state, current, total, status}` plus `result` after
/// SUCCESS and `error` (friendly words, never a traceback) after FAILURE or REVOKED. Calls answer
/// with it, and the channel notices are turned into it before they are pushed (on the socket and
/// on `/jobs/events`).
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

    /// A job notice as a job object. The group and the raw exception are left out: the page gets
    /// what it shows. `status` is the progress message when there is one, else the state's words.
    static func json(_ notice: JobNotice) -> JSONValue {
        let status = JobView.status(notice.state, exception: notice.exception)
        var object: [String: JSONValue] = [
            "id": .string(notice.id), "task": .string(notice.task), "state": .string(notice.state.rawValue),
            "current": .number(Double(Int(saturating: notice.current ?? 0))), "total": .number(Double(Int(saturating: notice.total ?? 0))),
            "status": .string(notice.message ?? status),
        ]
        if notice.state == .success {
            // The notice carries the result as JSON text; shown as JobView shows it (a string as is).
            let result = notice.resultJSON.map { (try? JSONValue(parsing: $0)) ?? .string($0) } ?? .null
            object["result"] = result == .null ? .null : .string(result.stringValue ?? result.jsonText)
        }
        if notice.state == .failure || notice.state == .revoked { object["error"] = .string(status) }
        return .object(object)
    }
}
