import ArgumentParser
import Foundation
import Logging
import Petal
import PetalRedis

/// --redis and --prefix, on every command.
struct RedisOptions: ParsableArguments {
    @Option(name: .long, help: "Redis URL: redis://[user:pass@]host:port/db or unix:///path.sock (default: REDIS_URL or redis://127.0.0.1:6379).")
    var redis: String?

    @Option(name: .long, help: "Key prefix shared by every Petal program on this Redis.")
    var prefix: String = ProcessInfo.processInfo.environment["PETAL_PREFIX"] ?? "petal"

    var url: String { redis ?? ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:6379" }

    func client() throws -> PetalClient {
        do {
            return PetalClient(redis: RedisClient(configuration: try RedisConfiguration(url: url), poolSize: 2), keys: Keys(prefix: prefix))
        } catch {
            throw ValidationError("\(error)")
        }
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
