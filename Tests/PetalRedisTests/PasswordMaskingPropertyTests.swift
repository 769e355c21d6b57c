import Foundation
import PetalRedis
import PetalTestSupport
import PropertyBased
import Testing

/// A password typed raw into a URL (not percent-encoded, as people do) never shows: not in the
/// masked argv `ps` sees, not in a redacted URL, not in the reader's error message.
@Suite("Password masking")
struct PasswordMaskingPropertyTests {
    /// Passwords of the characters URLs treat specially, around a marker that is easy to find.
    static let passwords = Generator<String, Shrink.None<String>>(run: { rng in
        let pieces = ["/", "?", "@", ":", "%", "%zz", "+", "#", " ", "&", "=", "é", "ab", "Z9"]
        let around = (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
        return around.prefix(2).joined() + "SeCrEt" + around.dropFirst(2).joined()
    })

    static let shapes = ["redis://user:%@@127.0.0.1:6379/0", "redis://:%@@cache.example.com", "rediss://user:%@@h:6380?ssl_cert_reqs=none",
                         "redis+sentinel://app:%@@s1:26379,s2/primary/1", "redis://%@@127.0.0.1"]

    @Test func aRawPasswordNeverShows() async {
        await propertyCheck(count: 400, input: Self.passwords) { password in
            // Without a user name, a raw ':' makes what precedes it a user name, by every URL reader's rule.
            for shape in Self.shapes where !(shape.contains("://%@") && password.contains(":")) {
                let url = shape.replacingOccurrences(of: "%@", with: password)
                #expect(!PasswordMasking.masked(url).contains("SeCrEt"), "ps would show: \(PasswordMasking.masked(url))")
                #expect(!RedisConfiguration.redacted(url).contains("SeCrEt"), "a message would show: \(RedisConfiguration.redacted(url))")
                do {
                    _ = try RedisConfiguration(url: url)
                } catch {
                    #expect(!"\(error)".contains("SeCrEt"), "the error shows the password: \(error)")
                }
            }
        }
    }

    @Test func theReviewersCasesAreCaught() throws {
        #expect(PasswordMasking.masked("redis://u:Pass/Word@127.0.0.1:1") == "redis://u:*********@127.0.0.1:1")
        #expect(RedisConfiguration.redacted("redis://weird:Sec?ret@127.0.0.1:7") == "redis://***@127.0.0.1:7", "malformed: the user name goes too")
        #expect(throws: RedisError.invalidURL("a '?' in the user name or password of 'redis://***@127.0.0.1:7' must be percent-encoded as %3F")) {
            try RedisConfiguration(url: "redis://weird:Sec?ret@127.0.0.1:7")
        }
        let raw = try RedisConfiguration(url: "redis://u:Pass/Word@127.0.0.1:1")
        #expect(raw.password == "Pass/Word" && raw.description == "redis://u:***@127.0.0.1:1")
    }
}
