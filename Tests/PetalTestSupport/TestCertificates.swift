import Foundation
import PetalSystem
import Synchronization

/// A certificate authority and certificates made with `openssl` for TLS tests: a server
/// certificate for localhost and 127.0.0.1, an expired one, one for another host, one from a CA
/// nobody trusts, and a client certificate for mutual TLS. Made once per test process.
public struct TestCertificates: Sendable {
    public let directory: String
    /// The CA that signed everything below except `strangerCertificate`.
    public var caFile: String { directory + "/ca.pem" }
    /// A CA that signed nothing the servers use.
    public var otherCAFile: String { directory + "/other-ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    /// Valid names, but its validity ended before it began.
    public var expiredCertificate: String { directory + "/expired.pem" }
    /// For `wrong.example` only.
    public var wrongHostCertificate: String { directory + "/wrong-host.pem" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }

    private static let made = Mutex<TestCertificates?>(nil)

    /// The process's certificates, made on first use.
    public static func shared() throws -> TestCertificates {
        try made.withLock { made in
            if let made { return made }
            let certificates = try TestCertificates()
            made = certificates
            return certificates
        }
    }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("petal-tls-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let at = { [directory] (name: String) in directory + "/" + name }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "2", "-subj", "/CN=Petal Test CA"], in: directory)
        try Self.openssl(["req", "-x509"] + curve + ["-keyout", at("other-ca.key"), "-out", at("other-ca.pem"), "-days", "2", "-subj", "/CN=Stranger CA"], in: directory)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try "subjectAltName=DNS:wrong.example\n".write(toFile: directory + "/wrong.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)
        try Self.openssl(["req"] + curve + ["-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=localhost"], in: directory)
        try Self.openssl(["req"] + curve + ["-keyout", at("client.key"), "-out", at("client.csr"), "-subj", "/CN=petal-client"], in: directory)
        let sign = ["x509", "-req", "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial"]
        try Self.openssl(sign + ["-in", at("server.csr"), "-out", at("server.pem"), "-days", "2", "-extfile", at("server.ext")], in: directory)
        try Self.openssl(sign + ["-in", at("server.csr"), "-out", at("expired.pem"), "-days", "-1", "-extfile", at("server.ext")], in: directory)
        try Self.openssl(sign + ["-in", at("server.csr"), "-out", at("wrong-host.pem"), "-days", "2", "-extfile", at("wrong.ext")], in: directory)
        try Self.openssl(sign + ["-in", at("client.csr"), "-out", at("client.pem"), "-days", "2", "-extfile", at("client.ext")], in: directory)
    }

    /// Runs openssl, its output kept in `directory` for the message when it fails; waited for by pid.
    private static func openssl(_ arguments: [String], in directory: String) throws {
        let log = directory + "/openssl.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = open(log, O_WRONLY | O_TRUNC)
        defer { close(output) }
        let process = try ChildProcess.spawn(executable: "/usr/bin/openssl", arguments: arguments,
                                             environment: ProcessInfo.processInfo.environment, descriptors: [1: output, 2: output])
        guard process.wait(upTo: 60) == .exited(0) else {
            throw TestSupportError("openssl \(arguments.joined(separator: " ")) failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }
}
