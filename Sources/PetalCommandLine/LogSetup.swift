import Logging
import PetalSettings

/// Logging for every command: one line each on stderr, at `--log-level`, else PETAL_LOG_LEVEL, else info.
public enum LogSetup {
    public static func bootstrap(level option: String?, settings: EnvironmentSettings) {
        let chosen = Logger.Level(rawValue: (option ?? settings.logLevel).lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
    }
}
