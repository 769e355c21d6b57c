import Foundation
import PetalTestSupport
import Testing

/// The Redis settings as the commands take them: a variable set to nonsense, or a TLS setting
/// beside a plaintext URL, stops the command with status 64 and a message naming it.
@Suite("Redis settings on the command line")
struct RedisSettingsCommandTests {
    @Test func wrongSettingsStopTheCommandNamingThem() async throws {
        let cases: [([String], [String: String], String)] = [
            (["status", "x"], ["REDIS_WAIT_REPLICAS": "one"], "REDIS_WAIT_REPLICAS='one' is not a whole number"),
            (["status", "x"], ["REDIS_URL": "rediss://h", "REDIS_TLS_INSECURE": "perhaps"], "REDIS_TLS_INSECURE='perhaps' is not true or false"),
            (["status", "x", "--redis", "redis://:hunter2@h", "--redis-tls-ca", "/etc/hostname"], [:], "--redis-tls-ca needs a TLS URL"),
            (["status", "x", "--redis", "rediss://h", "--redis-tls-ca", "/no/such/ca.pem"], [:], "/no/such/ca.pem is not a readable file"),
            (["status", "x", "--redis", "redis://h", "--redis-wait-replicas", "101"], [:], "--redis-wait-replicas must be 0 to 100"),
            (["status", "x", "--redis", "redis://h", "--redis-sentinel-password", "s"], [:], "needs a redis+sentinel:// URL"),
        ]
        for (arguments, environment, expected) in cases {
            let result = try await PetalBinary.runOffThePool(arguments, environment: environment)
            #expect(result.code == 64, "\(arguments) \(environment): \(result.code) \(result.error)")
            #expect(result.error.contains(expected), "\(arguments) \(environment): \(result.error)")
            #expect(!result.error.contains("hunter2"), "no password in messages")
        }
        let greeter = try await PetalBinary.runOffThePool(["worker", "--redis", "redis://h", "--redis-tls-key", "/etc/hostname"], program: "greeter")
        #expect(greeter.code == 64 && greeter.error.contains("--redis-tls-key needs a TLS URL"), "the greeter takes the same settings: \(greeter.error)")
    }
}
