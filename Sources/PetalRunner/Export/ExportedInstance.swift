/// One instance as a service manager will run it: `web.1`, its command and its environment (the
/// .env files' variables in their order, then `PORT` and `PS`, as `petal start` gives them).
public struct ExportedInstance: Sendable, Equatable {
    public let type: String
    public let index: Int
    public let command: String
    public let environment: [Variable]

    public struct Variable: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    public var name: String { "\(type).\(index)" }

    /// Every instance of the formation, in Procfile order; a type with count 0 has none.
    public static func expand(_ procfile: Procfile, formation: Formation, basePort: Int, dotEnv: [(String, String)]) -> [ExportedInstance] {
        var values: [String: String] = [:]
        var order: [String] = []
        for (name, value) in dotEnv where name != "PORT" && name != "PS" {
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        let shared = order.map { Variable(name: $0, value: values[$0] ?? "") }
        return procfile.entries.flatMap { entry in
            (0..<formation.count(of: entry.name)).map { offset in
                let port = formation.port(base: basePort, name: entry.name, instance: offset + 1)
                return ExportedInstance(type: entry.name, index: offset + 1, command: entry.command,
                                        environment: shared + [Variable(name: "PORT", value: String(port)),
                                                               Variable(name: "PS", value: "\(entry.name).\(offset + 1)")])
            }
        }
    }

    /// Grouped by type, in order (systemd and upstart have one file per type).
    static func byType(_ instances: [ExportedInstance]) -> [(type: String, instances: [ExportedInstance])] {
        var groups: [(type: String, instances: [ExportedInstance])] = []
        for instance in instances {
            if groups.last?.type == instance.type { groups[groups.count - 1].instances.append(instance) } else { groups.append((instance.type, [instance])) }
        }
        return groups
    }
}
