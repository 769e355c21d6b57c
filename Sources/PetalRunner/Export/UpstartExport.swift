/// Upstart jobs, as honcho writes them: `APP.conf` (started with the network), `APP-web.conf` per
/// type and `APP-web-1.conf` per instance with an `env` line per variable. Unlike honcho, the
/// command given to `su -c` is quoted, so a command with a `'` still runs, and one that starts
/// with `exec` does not get a second.
enum UpstartExport {
    static func render(_ instances: [ExportedInstance], settings: ExportSettings) -> [ExportedFile] {
        let app = settings.app
        var files = [ExportedFile("\(app).conf", """
            start on (started network-interface
                      or started network-manager
                      or started networking)

            stop on (stopping network-interface
                     or stopping network-manager
                     or stopping networking)

            """)]
        for group in ExportedInstance.byType(instances) {
            let groupName = "\(app)-\(group.type)"
            files.append(ExportedFile("\(groupName).conf", "start on starting \(app)\nstop on stopping \(app)\n"))
            for instance in group.instances {
                let environment = instance.environment.map { "env \($0.name)=\(Quoting.shell($0.value))\n" }.joined()
                // A Procfile line often starts with `exec` already; `exec exec x` looks for a program named exec.
                let command = instance.command.hasPrefix("exec ") ? instance.command : "exec " + instance.command
                let script = "cd \(Quoting.shell(settings.appRoot)); \(command)"
                files.append(ExportedFile("\(app)-\(Quoting.dashed(instance.name)).conf", """
                    start on starting \(groupName)
                    stop on stopping \(groupName)
                    respawn

                    \(environment)
                    exec su - \(settings.user) -m -s \(settings.shell) -c \(Quoting.shell(script))

                    """))
            }
        }
        return files
    }
}
