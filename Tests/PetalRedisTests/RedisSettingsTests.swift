import Foundation
import PetalRedis
import PetalTestSupport
import Testing

@Suite("Redis URLs and settings: TLS, Sentinel, durability")
struct RedisSettingsTests {
    @Test func readsTLSURLsAsRedisPyAndCelerySpellThem() throws {
        let plain = try RedisConfiguration(url: "rediss://user:secret@cache.example.com:6380/2")
        #expect(plain.endpoint == .tcp(host: "cache.example.com", port: 6380))
        #expect(plain.tls == RedisTLS(), "verification on by default, with the system CA store")
        #expect(plain.description == "rediss://user:***@cache.example.com:6380/2")
        let celery = try RedisConfiguration(url: "rediss://h:6380/0?ssl_cert_reqs=CERT_REQUIRED&ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/c.key")
        #expect(celery.tls == RedisTLS(caFile: "/etc/ca dir/ca.pem", certificateFile: "/c.pem", keyFile: "/c.key"))
        let insecure = try RedisConfiguration(url: "rediss://h?ssl_cert_reqs=none")
        #expect(insecure.tls?.verifyPeer == false)
        #expect(insecure.description.hasSuffix("?ssl_cert_reqs=none"), "a page shows verification is off")
        #expect(try RedisConfiguration(url: "rediss://h?ssl_check_hostname=false").tls?.verifyHostname == false)
        #expect(try RedisConfiguration(url: "redis://h").tls == nil)
    }

    @Test func readsSentinelURLs() throws {
        let configuration = try RedisConfiguration(url: "redis+sentinel://app:p%40ss@10.0.0.1:26380,[::1],s3/my%20primary/4?sentinel_password=sp")
        guard case .sentinel(let sentinel) = configuration.endpoint else { Issue.record("not a sentinel endpoint"); return }
        #expect(sentinel.sentinels == [.init(host: "10.0.0.1", port: 26380), .init(host: "::1", port: 26379), .init(host: "s3", port: 26379)])
        #expect(sentinel.masterName == "my primary")
        #expect(sentinel.password == "sp")
        #expect(configuration.username == "app" && configuration.password == "p@ss" && configuration.database == 4)
        #expect(configuration.tls == nil)
        #expect(configuration.description == "redis+sentinel://app:***@10.0.0.1:26380,[::1]:26379,s3:26379/my primary/4")
        let secure = try RedisConfiguration(url: "rediss+sentinel://s1/main")
        #expect(secure.tls == RedisTLS())
        #expect(RedisConfiguration.redacted("redis+sentinel://u:pw@s1,s2/m?sentinel_password=spw") == "redis+sentinel://u:***@s1,s2/m?sentinel_password=***")
    }

    @Test func aCAFileThatIsNotACertificateIsASettingToFixNotAnOutage() throws {
        let certificates = try TestCertificates.shared()
        for notACA in ["/etc/passwd", FileManager.default.temporaryDirectory.path] {
            var settings = RedisSettings(url: "rediss://h:6380", tlsCA: notACA)
            #expect {
                try settings.configuration()
            } throws: { error in
                guard case RedisError.invalidSetting(let message) = error else { return false }
                return message.contains("cannot load the CA file \(notACA)")
            }
        }
        // A key that is not the certificate's (the server's key beside the client's certificate).
        var mismatched = RedisSettings(url: "rediss://h:6380", tlsCA: certificates.caFile)
        mismatched.tlsCert = certificates.clientCertificate
        mismatched.tlsKey = certificates.serverKey
        #expect(throws: RedisError.self) { try mismatched.configuration() }
    }

    @Test func settingsLayOverTheURL() throws {
        let certificates = try TestCertificates.shared()
        var settings = RedisSettings(url: "rediss://h:6380?ssl_ca_certs=/nowhere.pem", tlsCA: certificates.caFile,
                                     waitReplicas: 1, waitTimeoutMilliseconds: 250)
        let configuration = try settings.configuration()
        #expect(configuration.tls?.caFile == certificates.caFile, "the setting wins over the URL's parameter")
        #expect(configuration.replicasToWait == 1 && configuration.replicaWaitTimeout == 0.25)
        settings.tlsInsecure = true
        settings.tlsCert = certificates.clientCertificate
        settings.tlsKey = certificates.clientKey
        let mutual = try settings.configuration()
        #expect(mutual.tls == RedisTLS(caFile: certificates.caFile, certificateFile: certificates.clientCertificate,
                                       keyFile: certificates.clientKey, verifyPeer: false))
        #expect(try RedisSettings().configuration() == RedisConfiguration(), "nothing set: redis://127.0.0.1:6379")
    }

    @Test func wrongSettingsAreNamed() throws {
        let certificates = try TestCertificates.shared()
        let cases: [(RedisSettings, String)] = [
            (RedisSettings(url: "redis://h", tlsCA: certificates.caFile), "--redis-tls-ca needs a TLS URL"),
            (RedisSettings(url: "redis://h", tlsInsecure: true), "--redis-tls-insecure needs a TLS URL"),
            (RedisSettings(url: "rediss://h", tlsCA: "/no/such/ca.pem"), "/no/such/ca.pem is not a readable file"),
            (RedisSettings(url: "rediss://h", tlsCert: certificates.clientCertificate), "both a client certificate and its key"),
            (RedisSettings(url: "redis://h", sentinelPassword: "x"), "needs a redis+sentinel:// URL"),
            (RedisSettings(url: "redis://h", waitReplicas: -1), "--redis-wait-replicas must be 0 to 100"),
            (RedisSettings(url: "redis://h", waitTimeoutMilliseconds: 0), "--redis-wait-timeout must be 1 to 600000"),
            (RedisSettings(url: "redis://:hunter2@h?ssl_keyfile=/k"), "ssl_keyfile needs TLS"),
        ]
        for (settings, expected) in cases {
            do {
                _ = try settings.configuration()
                Issue.record("\(settings.url) was accepted; expected: \(expected)")
            } catch {
                #expect(error.description.contains(expected), "\(error)")
                #expect(!error.description.contains("hunter2"), "no password in messages")
            }
        }
    }

    @Test func configurationsTravelToChildrenWhole() throws {
        let configuration = try RedisConfiguration(url: "rediss+sentinel://u:pw@s1:26380,s2/main/3?ssl_ca_certs=/ca.pem&sentinel_password=spw")
        let decoded = try JSONDecoder().decode(RedisConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(decoded == configuration)
    }

    @Test func passwordsAreMaskedInArguments() {
        #expect(PasswordMasking.masked("redis+sentinel://u:pw@s1,s2/m?sentinel_password=spw&db=1")
                == "redis+sentinel://u:**@s1,s2/m?sentinel_password=***&db=1")
    }
}
