/// systemd units, as honcho lays them out: `APP.target` wants one target per process type
/// (`APP-web.target`), which wants one service per instance (`APP-web-1.service`).
///
/// Where honcho's units break or leave processes behind, these differ: values are written as
/// systemd reads them (double quotes, `%%`, and `$$` in ExecStart, so `$PORT` reaches the shell),
/// and `KillMode=mixed` (SIGTERM to the main process, so a Petal worker shuts down warm, then
/// SIGKILL to whatever is left after the stop timeout) instead of `process`, which never stops
/// what a command started.
enum SystemdExport {
    static func render(_ instances: [ExportedInstance], settings: ExportSettings) -> [ExportedFile] {
        let app = settings.app
        let groups = ExportedInstance.byType(instances)
        var files = [ExportedFile("\(app).target", """
            [Unit]
            Wants=\(groups.map { "\(app)-\($0.type).target" }.joined(separator: " "))

            [Install]
            WantedBy=multi-user.target

            """)]
        for group in groups {
            let services = group.instances.map { "\(app)-\(Quoting.dashed($0.name)).service" }
            files.append(ExportedFile("\(app)-\(group.type).target", """
                [Unit]
                PartOf=\(app).target
                Wants=\(services.joined(separator: " "))

                """))
            for (instance, service) in zip(group.instances, services) {
                files.append(ExportedFile(service, unit(instance, group: "\(app)-\(group.type)", settings: settings)))
            }
        }
        return files
    }

    private static func unit(_ instance: ExportedInstance, group: String, settings: ExportSettings) -> String {
        let environment = instance.environment.map { "Environment=\(Quoting.systemd("\($0.name)=\($0.value)", expandsVariables: false))\n" }
        return """
            [Unit]
            PartOf=\(group).target

            [Service]
            User=\(settings.user)
            WorkingDirectory=\(Quoting.systemdPath(settings.appRoot))
            \(environment.joined())ExecStart=\(settings.shell) -lc \(Quoting.systemd(instance.command, expandsVariables: true))
            Restart=always
            StandardInput=null
            StandardOutput=journal
            StandardError=journal
            SyslogIdentifier=%n
            KillMode=mixed

            [Install]
            WantedBy=multi-user.target

            """
    }
}
