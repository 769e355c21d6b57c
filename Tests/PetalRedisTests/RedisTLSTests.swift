import Foundation
import PetalRedis
import PetalSystem
import PetalTestSupport
import Testing

/// rediss:// against Debian's redis-server on a TLS port, with a CA and certificates `openssl`
/// made for the test (TestCertificates).
@Suite("Redis over TLS")
struct RedisTLSTests {
    let certificates: TestCertificates

    init() throws { certificates = try TestCertificates.shared() }

    func server(certificate: String? = nil, requireClientCertificate: Bool = false) throws -> RedisServer {
        try RedisServer(tls: .init(certificate: certificate ?? certificates.serverCertificate, key: certificates.serverKey,
                                   ca: certificates.caFile, requireClientCertificate: requireClientCertificate))
    }

    func settings(_ server: RedisServer, host: String = "127.0.0.1", ca: String? = nil) -> RedisSettings {
        RedisSettings(url: "rediss://\(host):\(server.tlsPort!)", tlsCA: ca ?? certificates.caFile)
    }

    /// The message of the connection error `body` throws (an issue when it does not throw one).
    func refusal(_ configuration: RedisConfiguration) -> String {
        let connection = RedisConnection(configuration: configuration)
        do {
            try connection.command("PING")
            Issue.record("\(configuration) was accepted")
            return ""
        } catch {
            #expect(error.isConnectionError, "\(error)")
            return error.description
        }
    }

    @Test func aVerifiedConnectionCarriesCommandsPipelinesAndBigValues() async throws {
        let server = try server()
        for host in ["127.0.0.1", "localhost"] {  // an address, and a name (SNI and a DNS name check)
            let client = RedisClient(configuration: try settings(server, host: host).configuration(), poolSize: 2)
            defer { client.shutdown() }
            let big = RedisArgument(bytes: (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await client.command(["SET", "big", big])
            #expect(try await client.command(["GET", "big"]) == .bulk(big.bytes), "3 MB both ways, in many TLS records")
            let replies = try await client.pipeline((0..<2000).map { _ -> [RedisArgument] in ["INCR", RedisArgument("n-\(host)")] })
            #expect(replies.last == .integer(2000))
            #expect(try await client.serverStatus().role == "primary")
        }
        let plain = RedisClient(configuration: server.configuration, poolSize: 1)
        #expect(try await plain.command("GET", "n-localhost").int == 2000, "the same server, seen on its plaintext port")
    }

    @Test func pubSubAndBlockingPopsWorkOverTLS() async throws {
        let server = try server()
        let client = RedisClient(configuration: try settings(server).configuration(), poolSize: 2)
        defer { client.shutdown() }
        async let popped = client.blocking(["BLPOP", "later", "10"], blockSeconds: 10)
        try await Task.sleep(for: .milliseconds(200))
        try await client.command("RPUSH", "later", "hello")
        #expect(try await popped.array?.last?.string == "hello")

        let subscription = client.subscribe(channels: ["news"])
        var iterator = subscription.makeAsyncIterator()
        let publisher = Task {
            for index in 0..<200 {
                try await client.command("PUBLISH", "news", "message \(index)")
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { publisher.cancel() }
        var first = await iterator.next()
        if first == .subscribed { first = await iterator.next() }  // Redis confirmed the subscription first
        guard case .message(let channel, let payload, _)? = first else { Issue.record("no message: \(String(describing: first))"); return }
        #expect(channel == "news" && payload.hasPrefix("message "))
    }

    @Test func aCertificateFromAnotherCAIsRefused() throws {
        let server = try server()
        let message = refusal(try settings(server, ca: certificates.otherCAFile).configuration())
        #expect(message.contains("not signed by the CA in \(certificates.otherCAFile)"), "\(message)")
        #expect(message.contains("rediss://127.0.0.1:\(server.tlsPort!)"), "says which server: \(message)")
        // Without a CA file the system's store decides, and it does not know the test's CA.
        let system = refusal(try RedisSettings(url: "rediss://127.0.0.1:\(server.tlsPort!)").configuration())
        #expect(system.contains("not signed by the system's CA store"), "\(system)")
        // Verification off by choice: the same server is accepted.
        var insecure = settings(server, ca: certificates.otherCAFile)
        insecure.tlsInsecure = true
        #expect(try RedisConnection(configuration: try insecure.configuration()).command("PING") == .status("PONG"))
    }

    @Test func anExpiredCertificateIsRefused() throws {
        let server = try server(certificate: certificates.expiredCertificate)
        let message = refusal(try settings(server).configuration())
        #expect(message.contains("has expired"), "\(message)")
    }

    @Test func aCertificateForAnotherHostIsRefused() throws {
        let server = try server(certificate: certificates.wrongHostCertificate)
        let byAddress = refusal(try settings(server).configuration())
        #expect(byAddress.contains("not for 127.0.0.1"), "\(byAddress)")
        let byName = refusal(try settings(server, host: "localhost").configuration())
        #expect(byName.contains("not for localhost"), "\(byName)")
        // ssl_check_hostname=false accepts it (the CA still has to have signed it).
        let unchecked = try RedisConfiguration(url: "rediss://127.0.0.1:\(server.tlsPort!)?ssl_check_hostname=false&ssl_ca_certs=\(certificates.caFile)")
        #expect(try RedisConnection(configuration: unchecked).command("PING") == .status("PONG"))
    }

    @Test func mutualTLSPresentsTheClientCertificate() async throws {
        let server = try server(requireClientCertificate: true)
        let without = refusal(try settings(server).configuration())
        #expect(without.contains("client certificate"), "\(without)")
        var mutual = settings(server)
        mutual.tlsCert = certificates.clientCertificate
        mutual.tlsKey = certificates.clientKey
        let client = RedisClient(configuration: try mutual.configuration(), poolSize: 1)
        defer { client.shutdown() }
        try await client.command("SET", "who", "client")
        #expect(try await client.command("GET", "who").string == "client")
    }

    @Test func speakingTheWrongProtocolIsSaidPlainly() throws {
        let server = try server()
        let tlsToPlain = refusal(try RedisConfiguration(url: "rediss://127.0.0.1:\(server.port)?ssl_ca_certs=\(certificates.caFile)"))
        #expect(tlsToPlain.contains("is the port a TLS port?"), "\(tlsToPlain)")
        let plainToTLS = refusal(try RedisConfiguration(url: "redis://127.0.0.1:\(server.tlsPort!)"))
        #expect(plainToTLS.contains("use rediss://"), "\(plainToTLS)")
    }

    /// SNI: a TLS server that refuses any name but its own (openssl s_server -servername_fatal)
    /// completes the handshake only when the client sent the host it connects to.
    @Test func theHostNameTravelsAsSNI() throws {
        for (expected, accepted) in [("localhost", true), ("redis.example", false)] {
            let port = try FreePort.find()
            let devNull = open("/dev/null", O_RDWR)
            defer { close(devNull) }
            let server = try ChildProcess.spawn(executable: "/usr/bin/openssl", arguments: [
                "s_server", "-accept", String(port), "-cert", certificates.serverCertificate, "-key", certificates.serverKey,
                "-servername", expected, "-servername_fatal", "-cert2", certificates.serverCertificate, "-key2", certificates.serverKey,
                "-quiet"], environment: ProcessInfo.processInfo.environment, descriptors: [0: devNull, 1: devNull, 2: devNull])
            defer { _ = server.stop(grace: 2) }
            let probe = RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port)))
            var listening = false
            for _ in 0..<200 where !listening {
                listening = (try? probe.connect()) != nil
                if !listening { usleep(25_000) }
            }
            probe.close()
            #expect(listening, "openssl s_server listening")
            let connection = RedisConnection(configuration: try settings(RedisServerPort(port), host: "localhost").configuration())
            let outcome = Result { () throws(RedisError) in try connection.connect() }
            if accepted {
                #expect((try? outcome.get()) != nil, "s_server expecting \(expected): \(outcome)")
            } else {
                #expect((try? outcome.get()) == nil, "s_server expecting \(expected) refused the name 'localhost'")
            }
            connection.close()
        }
    }

    func settings(_ server: RedisServerPort, host: String) -> RedisSettings {
        RedisSettings(url: "rediss://\(host):\(server.port)", tlsCA: certificates.caFile)
    }
}

/// A TLS port that is not a RedisServer's (the SNI test's s_server).
struct RedisServerPort {
    let port: Int
    init(_ port: Int) { self.port = port }
}
