/// The formats `petal export` writes: honcho's four (foreman's others, launchd, inittab, daemon
/// and bluepill, are not there).
public enum ExportFormat: String, CaseIterable, Sendable {
    case systemd, supervisord, runit, upstart

    public func render(_ instances: [ExportedInstance], settings: ExportSettings) -> [ExportedFile] {
        switch self {
        case .systemd: SystemdExport.render(instances, settings: settings)
        case .supervisord: SupervisordExport.render(instances, settings: settings)
        case .runit: RunitExport.render(instances, settings: settings)
        case .upstart: UpstartExport.render(instances, settings: settings)
        }
    }
}
