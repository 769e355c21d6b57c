/// One supervisord file, `APP.conf`: a program per instance (`web-1`) and a group `APP`, as honcho
/// writes it. Unlike honcho: `stopsignal=TERM` (honcho's QUIT is a Petal worker's cold shutdown),
/// the stop and kill go to the process group (a command run by `sh -c` may not be the shell's
/// only process), and values are quoted as supervisord splits them (`,` and spaces inside quotes).
enum SupervisordExport {
    static func render(_ instances: [ExportedInstance], settings: ExportSettings) -> [ExportedFile] {
        var text = ""
        for instance in instances {
            let program = Quoting.dashed(instance.name)
            let environment = instance.environment.map { "\($0.name)=\(Quoting.supervisord($0.value))" }.joined(separator: ",")
            text += """
                [program:\(program)]
                command=\(settings.shell) -c \(Quoting.shell(instance.command).replacingPercent())
                autostart=true
                autorestart=true
                stopsignal=TERM
                stopasgroup=true
                killasgroup=true
                stdout_logfile=\(settings.logDirectory)/\(program).log
                stderr_logfile=\(settings.logDirectory)/\(program).error.log
                user=\(settings.user)
                directory=\(settings.appRoot)
                environment=\(environment)


                """
        }
        text += "[group:\(settings.app)]\nprograms=\(instances.map { Quoting.dashed($0.name) }.joined(separator: ","))\n"
        return [ExportedFile("\(settings.app).conf", text)]
    }
}

private extension String {
    /// supervisord expands `%(name)s` in values: a literal `%` is `%%`.
    func replacingPercent() -> String { unicodeScalars.map { $0 == "%" ? "%%" : String($0) }.joined() }
}
