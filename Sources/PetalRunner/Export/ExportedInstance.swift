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

    /// Refuses what no service file can carry safely: a line break in a command or value (it would
    /// start a new directive), an app or user name that is not a plain name (a path like `../x`
    /// would write outside the folder), and two instances whose files would have the same name.
    public static func check(_ instances: [ExportedInstance], settings: ExportSettings) throws(RunnerError) {
        func plain(_ text: String) -> Bool {
            !text.isEmpty && !text.hasPrefix(".") && !text.hasPrefix("-")
                && text.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 46 || $0 == 95 || $0 == 45 }
        }
        guard plain(settings.app) else { throw .control("app name '\(settings.app)' must be letters, digits, '.', '_' or '-' (give -a NAME)") }
        guard plain(settings.user) else { throw .control("user '\(settings.user)' must be letters, digits, '.', '_' or '-'") }
        for value in [settings.shell, settings.logDirectory, settings.appRoot] where value.contains(where: \.isNewline) {
            throw .control("'\(value.prefix(60))' holds a line break, which no service file can carry")
        }
        var fileNames: [String: String] = [:]
        for instance in instances {
            if instance.command.contains(where: \.isNewline) { throw .control("\(instance.type)'s command holds a line break, which no service file can carry") }
            for variable in instance.environment where variable.value.contains(where: \.isNewline) || variable.value.unicodeScalars.contains("\r") {
                throw .control("\(variable.name) holds a line break, which no service file can carry; export refuses it")
            }
            // Formats name a file per type (APP-TYPE) and per instance (APP-TYPE-N): type `a-1` and
            // instance `a.1` would collide.
            for (fileName, owner) in [(instance.type, "type \(instance.type)"), ("\(instance.type)-\(instance.index)", instance.name)] {
                if let other = fileNames[fileName], other != owner {
                    throw .control("\(other) and \(owner) would write the same file (\(settings.app)-\(fileName)); rename a process type")
                }
                fileNames[fileName] = owner
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
