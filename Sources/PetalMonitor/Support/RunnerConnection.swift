import Foundation
import Petal
import PetalRunner

/// The Procfile runner's control socket (`petal start` passes its path as PETAL_RUNNER_SOCKET).
/// Each request is one blocking Unix-socket exchange, done on a thread of its own, never on the
/// cooperative pool.
struct RunnerConnection: Sendable {
    let path: String

    struct Process: Sendable { let name: String; let type: String; let pid: Int; let state: String; let uptime: String; let restarts: Int }
    struct Status: Sendable { let processes: [Process]; let formation: [(type: String, count: Int)] }

    func status() async throws -> Status {
        let answer = try await request("ps")
        let processes = (answer["processes"]?.arrayValue ?? []).map { item in
            Process(name: item["name"]?.stringValue ?? "", type: item["type"]?.stringValue ?? "", pid: item["pid"]?.intValue ?? 0,
                    state: item["state"]?.stringValue ?? "", uptime: Format.duration(item["uptime"]?.doubleValue),
                    restarts: item["restarts"]?.intValue ?? 0)
        }
        // The formation's order is the Procfile's: take it from the processes, then any type at 0.
        let counts = answer["formation"]?.objectValue ?? [:]
        var order: [String] = []
        for process in processes where !order.contains(process.type) { order.append(process.type) }
        for type in counts.keys.sorted() where !order.contains(type) { order.append(type) }
        return Status(processes: processes, formation: order.map { ($0, counts[$0]?.intValue ?? 0) })
    }

    func scale(_ type: String, to count: Int) async throws -> String {
        try await request("scale \(type)=\(count)").stringValue ?? "scaled"
    }

    /// The `ok` value of the answer; the runner's `error` is thrown.
    private func request(_ line: String) async throws -> JSONValue {
        let path = self.path
        let text: String = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try UnixSocket.request(line, path: path) }) }.start()
        }
        let answer = try JSONValue(parsing: text)
        if let error = answer["error"]?.stringValue { throw RunnerControlError(message: error) }
        return answer["ok"] ?? .null
    }

    struct RunnerControlError: Error, CustomStringConvertible { let message: String; var description: String { message } }
}

// Mustache reads these views through key paths (see MustacheView).
extension RunnerConnection.Process: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "name": \.name,
        "type": \.type,
        "pid": \.pid,
        "state": \.state,
        "uptime": \.uptime,
        "restarts": \.restarts,
    ]
}
