import ArgumentParser
import Foundation
import Logging
import Petal
import PetalRedis
import PetalRedisOptions

/// --redis (with its TLS, Sentinel and durability options) and --prefix, on every command.
struct RedisOptions: ParsableArguments {
    @OptionGroup var connection: RedisConnectionOptions

    @Option(name: .long, help: "Key prefix shared by every Petal program on this Redis.")
    var prefix: String = ProcessInfo.processInfo.environment["PETAL_PREFIX"] ?? "petal"

    /// Where Redis is and how to reach it, or a usage error naming the wrong setting.
    func configuration() throws -> RedisConfiguration { try connection.configuration() }

    func client() throws -> PetalClient {
        PetalClient(redis: RedisClient(configuration: try configuration(), poolSize: 2), keys: Keys(prefix: prefix))
    }
}

/// Turns client errors into one clear line and a non-zero exit.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PetalError {
        FileHandle.standardError.write(Data("petal: \(error)\n".utf8))
        // sysexits: 64 for input the caller must fix, 69 for Redis out of reach.
        if case .invalidRequest = error { throw ExitCode(64) }
        throw ExitCode(error.isRedisUnavailable ? 69 : 1)
    }
}

func printJSON(_ value: JSONValue) {
    print(value.jsonText)
}

enum LogSetup {
    /// Logs go to stderr, one line each; PETAL_LOG_LEVEL or --log-level picks the level.
    static func bootstrap(level: String?) {
        let chosen = Logger.Level(rawValue: (level ?? ProcessInfo.processInfo.environment["PETAL_LOG_LEVEL"] ?? "info").lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = chosen
            return handler
        }
    }
}
