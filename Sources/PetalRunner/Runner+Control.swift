import Foundation

/// Run-time control: what the control socket's requests do.
extension Runner {
    func answer(_ request: String) -> String {
        let words = request.split(separator: " ", maxSplits: 1).map(String.init)
        do {
            switch words.first {
            case "ps": return reply(ok: processList())
            case "scale" where words.count == 2: return reply(ok: try scale(words[1]))
            case "restart" where words.count == 2: return reply(ok: try restart(words[1]))
            case "stop" where words.count == 2: return reply(ok: try stopInstance(words[1]))
            default: throw RunnerError.control("unknown request '\(request)': use ps, scale NAME=N, restart NAME.N or stop NAME.N")
            }
        } catch {
            return jsonObject(["error": "\(error)"])
        }
    }

    private func processList() -> String {
        let now = Runner.now()
        let rows = instances.map { instance in
            "{\"name\":\(jsonString(instance.name)),\"type\":\(jsonString(instance.type)),\"pid\":\(instance.process.pid),"
                + "\"state\":\"\(instance.state.rawValue)\",\"uptime\":\(Int(now - instance.startedAt)),\"restarts\":\(instance.restarts)}"
        }
        let formationText = formation.order.map { "\(jsonString($0)):\(formation.count(of: $0))" }.joined(separator: ",")
        return "{\"processes\":[\(rows.joined(separator: ","))],\"formation\":{\(formationText)}}"
    }

    /// `worker=4,web=2`: starts missing instances now; stops surplus ones (highest numbers first)
    /// with SIGTERM, so a Petal worker finishes its running jobs before it goes.
    func scale(_ spec: String) throws -> String {
        guard !shuttingDown else { throw RunnerError.control("shutting down") }
        var changes: [(String, Int)] = []
        for part in spec.split(separator: ",") {
            let pair = part.split(separator: "=").map { $0.trimmingWhitespace() }
            guard pair.count == 2, let count = Int(pair[1]) else { throw RunnerError.invalidFormation("'\(part)' should be name=count") }
            var check = formation
            try check.set(pair[0], to: count)
            changes.append((pair[0], count))
        }
        for (type, count) in changes {
            try formation.set(type, to: count)
            let running = Set(instances.filter { $0.type == type && $0.state == .running }.map(\.index))
            for index in 1...max(count, 1) where count > 0 && !running.contains(index) {
                start(type: type, index: index, restarts: 0)
            }
            for position in instances.indices where instances[position].type == type && instances[position].index > count {
                stop(position)
            }
            pendingRestarts.removeAll { $0.type == type && $0.index > count }
            output.system("scaled \(type) to \(count)")
        }
        return "\"scaled \(spec)\""
    }

    private func position(of name: String) throws -> Int {
        guard let position = instances.firstIndex(where: { $0.name == name && $0.state == .running }) else {
            throw RunnerError.unknownProcess(name)
        }
        return position
    }

    private func restart(_ name: String) throws -> String {
        stop(try position(of: name), restart: true)
        return "\"restarting \(name)\""
    }

    private func stopInstance(_ name: String) throws -> String {
        stop(try position(of: name))
        return "\"stopping \(name)\""
    }

    private func reply(ok json: String) -> String { "{\"ok\":\(json)}" }

    private func jsonObject(_ fields: [String: String]) -> String {
        "{" + fields.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",") + "}"
    }

    private func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20: escaped += "\\u" + String(format: "%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}
