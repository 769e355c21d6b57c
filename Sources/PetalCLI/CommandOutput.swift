import ArgumentParser
import Foundation
import Petal

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
