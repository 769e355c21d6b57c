import Foundation
import PetalSettings

/// A Procfile project as `start`, `check` and `export` see it, found as honcho finds it: the
/// Procfile is `-f`, else `PROCFILE` from the .env files, else `PROCFILE` from the environment,
/// else `Procfile`; both it and the .env files are relative to the app root (`-d`, default `.`).
public struct Project {
    public let procfilePath: String
    public let procfile: Procfile
    /// The .env files' variables in file order (what `export` writes into service files).
    public let dotEnv: [(String, String)]
    /// The runner's environment with the .env files laid over it (what processes get).
    public let environment: [String: String]
    /// Lines skipped in the Procfile and the .env files, files that could not be read.
    public let warnings: [FileWarning]

    public static func load(appRoot: String = ".", procfile: String?, envFiles: String?,
                            base: [String: String] = ProcessInfo.processInfo.environment) throws(RunnerError) -> Project {
        let env = RunnerEnvironment.read(files: envFiles, appRoot: appRoot)
        let environment = RunnerEnvironment.merge(env.pairs, over: base)
        let path = RunnerEnvironment.resolve(procfile ?? EnvironmentSettings(environment).procfile, in: appRoot)
        guard let (text, wellFormed) = RunnerEnvironment.readText(path) else { throw .missingFile(path) }
        let parsed = try Procfile(parsing: text, file: path)
        let encoding = wellFormed ? [] : [FileWarning(file: path, line: 0, reason: RunnerEnvironment.notUTF8)]
        return Project(procfilePath: path, procfile: parsed, dotEnv: env.pairs,
                       environment: environment, warnings: env.warnings + encoding + parsed.warnings)
    }

    /// The first port: `-p`, else `PORT` from the .env files, else from the environment, else 5000
    /// (the order of honcho's settings and of foreman's).
    public func basePort(option: Int?) throws(RunnerError) -> Int {
        if let option { return option }
        do { return try EnvironmentSettings(environment).basePort() } catch { throw .invalidPort(error.value) }
    }
}
