import Crypto
import Foundation

/// Signs short texts (a visitor id, a CSRF nonce) with HMAC-SHA-256 under a server secret, so a
/// value the server handed out can be told from one a visitor or an attacker made up.
public struct MessageSigner: Sendable {
    private let key: SymmetricKey

    public init(secret: String) { self.init(key: Array(secret.utf8)) }

    /// A key of raw bytes (RFC 4231's test keys are not text).
    public init(key: [UInt8]) { self.key = SymmetricKey(data: key) }

    /// A fresh random secret: tokens signed with it die with the process (a restart rotates them).
    public static func randomSecret() -> String { randomHex(bytes: 32) }

    /// "<message>.<signature as 64 hex digits>"
    public func sign(_ message: String) -> String { message + "." + signature(message) }

    /// The message when `token` carries a valid signature, nil otherwise.
    public func verify(_ token: String) -> String? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let message = String(token[..<dot])
        guard !message.isEmpty, let given = Self.bytes(fromHex: token[token.index(after: dot)...]) else { return nil }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(message.utf8), using: key) ? message : nil
    }

    public func signature(_ message: String) -> String { signature(bytes: Array(message.utf8)) }

    /// HMAC-SHA-256 of `bytes` as 64 hex digits.
    public func signature(bytes: [UInt8]) -> String {
        Self.hex(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    public static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
