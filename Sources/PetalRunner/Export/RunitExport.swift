/// runit service folders, one per instance (`APP-web-1/`): `run`, `log/run` and an envdir `env/`
/// with a file per variable, as honcho writes them. Unlike honcho, the command runs in a shell
/// started by `chpst` (so `$PORT` is read from the envdir, not expanded before it is loaded).
enum RunitExport {
    static func render(_ instances: [ExportedInstance], settings: ExportSettings) -> [ExportedFile] {
        instances.flatMap { instance -> [ExportedFile] in
            let folder = "\(settings.app)-\(Quoting.dashed(instance.name))"
            let environment = instance.environment.map { ExportedFile("\(folder)/env/\($0.name)", $0.value) }
            let run = """
                #!\(settings.shell)
                exec 2>&1
                ENVDIR=$PWD/env
                cd \(Quoting.shell(settings.appRoot))
                exec chpst -u \(settings.user) -e "$ENVDIR" \\
                  \(settings.shell) -c \(Quoting.shell(instance.command))

                """
            let log = """
                #!/bin/sh
                set -e

                LOG=\(Quoting.shell(settings.logDirectory + "/" + Quoting.dashed(instance.name)))

                if [ ! -d "$LOG" ]; then
                    mkdir -p -m 2750 "$LOG"
                    chown \(settings.user) "$LOG"
                fi

                exec chpst -u \(settings.user) svlogd "$LOG"

                """
            return environment + [ExportedFile("\(folder)/run", run, executable: true),
                                  ExportedFile("\(folder)/log/run", log, executable: true)]
        }
    }
}
