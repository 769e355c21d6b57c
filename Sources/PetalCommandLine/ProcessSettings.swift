import Foundation
import PetalSettings

extension EnvironmentSettings {
    /// This process's environment variables: read where a command starts and passed on from
    /// there, so everything below takes its settings as an argument (and tests give their own).
    public static func ofThisProcess() -> EnvironmentSettings { EnvironmentSettings(ProcessInfo.processInfo.environment) }
}
