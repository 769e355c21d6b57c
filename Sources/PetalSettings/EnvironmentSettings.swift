/// Every setting Petal's programs take from environment variables, each with its default, read
/// from the variables given (the process's environment, or the runner's with the .env files laid
/// over it). It is the one place that names a variable, and nothing reads the environment behind
/// a caller's back: a command reads its process's environment once and passes this along.
///
/// Petal's own variables (REDIS_URL, PETAL_*, MONITOR_*, GREETER_*) count as unset when empty, as
/// .env.example writes them (`GREETER_SECRET=`); the runner's honcho variables (PORT, PROCFILE)
/// follow honcho. A value that is there but wrong is an error that names the variable, never
/// a silent default.
public struct EnvironmentSettings: Sendable {
    public let variables: [String: String]

    public init(_ variables: [String: String]) { self.variables = variables }

    // MARK: Every Petal program

    /// REDIS_URL: where every Petal program finds Redis.
    public var redisURL: String { value("REDIS_URL") ?? "redis://127.0.0.1:6379" }

    /// REDIS_TLS_CA: PEM file of the CA that signed Redis's certificate (nil: the system's store).
    public var redisTLSCA: String? { value("REDIS_TLS_CA") }

    /// REDIS_TLS_CERT and REDIS_TLS_KEY: a client certificate and its key (mutual TLS).
    public var redisTLSCert: String? { value("REDIS_TLS_CERT") }
    public var redisTLSKey: String? { value("REDIS_TLS_KEY") }

    /// REDIS_TLS_INSECURE: true skips verifying Redis's certificate (nil: as the URL says).
    public func redisTLSInsecure() throws(SettingsError) -> Bool? {
        guard let text = value("REDIS_TLS_INSECURE") else { return nil }
        switch text.trimmingSpaces().lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw SettingsError(name: "REDIS_TLS_INSECURE", value: text, expected: "true or false")
        }
    }

    /// REDIS_SENTINEL_PASSWORD: the sentinels' own password.
    public var redisSentinelPassword: String? { value("REDIS_SENTINEL_PASSWORD") }

    /// REDIS_WAIT_REPLICAS: the durability mode's replica count (nil: off).
    public func redisWaitReplicas() throws(SettingsError) -> Int? { try wholeNumber("REDIS_WAIT_REPLICAS") }

    /// REDIS_WAIT_TIMEOUT: milliseconds the durability mode's wait may take (nil: 1000).
    public func redisWaitTimeout() throws(SettingsError) -> Int? { try wholeNumber("REDIS_WAIT_TIMEOUT") }

    /// PETAL_PREFIX: the key prefix shared by every Petal program on one Redis.
    public var keyPrefix: String { value("PETAL_PREFIX") ?? "petal" }

    /// PETAL_LOG_LEVEL: trace, debug, info, notice, warning, error or critical.
    public var logLevel: String { value("PETAL_LOG_LEVEL") ?? "info" }

    /// PETAL_RUNNER_SOCKET: the control socket of a running `petal start`, which sets it for the
    /// processes it starts (nil when none is running).
    public var runnerSocket: String? { value("PETAL_RUNNER_SOCKET") }

    /// Where `petal start` puts its control socket and `petal ps` looks for it.
    public var runnerSocketPath: String { runnerSocket ?? ".petal/runner.sock" }

    // MARK: The monitor

    /// MONITOR_PORT, default 5555.
    public func monitorPort() throws(SettingsError) -> Int { try port("MONITOR_PORT", default: 5555) }

    /// MONITOR_BASIC_AUTH: USER:PASS asked on every page and API call; nil leaves the monitor open.
    public var monitorBasicAuth: String? { value("MONITOR_BASIC_AUTH") }

    /// MONITOR_ALLOWED_HOSTS: host names answered besides IP addresses and localhost, as written
    /// (`AllowedHosts.names(in:)` reads the list).
    public var monitorAllowedHosts: String? { value("MONITOR_ALLOWED_HOSTS") }

    /// MONITOR_SECRET: signs CSRF tokens and notices; nil means a random one per start.
    public var monitorSecret: String? { value("MONITOR_SECRET") }

    // MARK: The greeter

    /// GREETER_PORT, default 5554.
    public func greeterPort() throws(SettingsError) -> Int { try port("GREETER_PORT", default: 5554) }

    /// GREETER_SECRET: signs visitor cookies; nil means the one kept in .petal/greeter-secret.
    public var greeterSecret: String? { value("GREETER_SECRET") }

    /// GREETER_ALLOWED_HOSTS: as MONITOR_ALLOWED_HOSTS, for the greeter.
    public var greeterAllowedHosts: String? { value("GREETER_ALLOWED_HOSTS") }

    /// GREETER_SOFT_TIME_LIMIT: seconds `greeter.expensive_greet` may run before it falls back, default 60.
    public func greeterSoftTimeLimit() throws(SettingsError) -> Double {
        guard let text = value("GREETER_SOFT_TIME_LIMIT") else { return 60 }
        // Up to ten years, as every other interval Petal takes.
        guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 315_360_000 else {
            throw SettingsError(name: "GREETER_SOFT_TIME_LIMIT", value: text, expected: "seconds, more than 0 and at most 315360000")
        }
        return seconds
    }

    // MARK: The Procfile runner (honcho's variables)

    /// PORT: the first port `petal start` hands out, default 5000 (a value, even an empty one, must be a port).
    public func basePort() throws(SettingsError) -> Int {
        guard let text = variables["PORT"] else { return Self.defaultBasePort }
        guard let port = Int(text.trimmingSpaces()), (0...65535).contains(port) else {
            throw SettingsError(name: "PORT", value: text, expected: "a port from 0 to 65535")
        }
        return port
    }

    /// PROCFILE: the Procfile's name, default `Procfile` (honcho takes an empty one as unset).
    public var procfile: String { variables["PROCFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "Procfile" }

    /// NO_COLOR: set and not empty turns colours off (no-color.org).
    public var noColor: Bool { variables["NO_COLOR"].map { !$0.isEmpty } ?? false }

    public static let defaultBasePort = 5000

    // MARK: Reading

    /// The variable's value, nil when unset or empty.
    func value(_ name: String) -> String? {
        guard let text = variables[name], !text.trimmingSpaces().isEmpty else { return nil }
        return text
    }

    /// A whole number ≥ 0, or nil when unset (the program checks its range).
    func wholeNumber(_ name: String) throws(SettingsError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text.trimmingSpaces()), number >= 0 else {
            throw SettingsError(name: name, value: text, expected: "a whole number")
        }
        return number
    }

    func port(_ name: String, default fallback: Int) throws(SettingsError) -> Int {
        guard let text = value(name) else { return fallback }
        guard let port = Int(text.trimmingSpaces()), (0...65535).contains(port) else {
            throw SettingsError(name: name, value: text, expected: "a port from 0 to 65535")
        }
        return port
    }
}

/// A variable that is set to something its program cannot use.
public struct SettingsError: Error, Equatable, CustomStringConvertible {
    public let name: String
    public let value: String
    public let expected: String

    public var description: String { "\(name)='\(value.prefix(100))' is not \(expected)" }
}

extension String {
    /// Without leading and trailing white space (Unicode's, as the runner trims .env lines).
    func trimmingSpaces() -> Substring {
        var text = self[...]
        while let first = text.unicodeScalars.first, first.properties.isWhitespace { text = text.dropFirst() }
        while let last = text.unicodeScalars.last, last.properties.isWhitespace { text = text.dropLast() }
        return text
    }
}
