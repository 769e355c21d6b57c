import ArgumentParser
import Foundation
import PetalSettings
import PetalWeb

/// The key that signs visitor cookies: GREETER_SECRET when set, else one generated on first start
/// and kept in .petal/greeter-secret (mode 0600), so cookies survive restarts but no two
/// deployments share a key by accident.
enum GreeterSecret {
    static let path = ".petal/greeter-secret"

    static func load(_ settings: EnvironmentSettings) throws -> String {
        if let secret = settings.greeterSecret { return secret }
        if let kept = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), kept.count >= 32 {
            return kept
        }
        let secret = MessageSigner.randomSecret()
        do {
            try FileManager.default.createDirectory(atPath: ".petal", withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        } catch {
            throw ValidationError("GREETER_SECRET is not set and \(path) could not be written (\(error)); set GREETER_SECRET")
        }
        return secret
    }
}
