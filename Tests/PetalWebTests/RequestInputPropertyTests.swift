import Foundation
import PetalTestSupport
import PetalWeb
import Hummingbird
import PropertyBased
import Testing

/// Properties of the web apps' readers of outside input: they never trap, and what a client
/// encodes comes back as it was.
@Suite("Request input properties")
struct RequestInputPropertyTests {
    @Test func formDecodingNeverFailsAndRoundTrips() async {
        await propertyCheck(count: 500, input: HostileInput.text) { text in
            // As browsers and `requests` encode a form value: spaces as +, the rest percent-encoded.
            var allowed = HostileInput.asciiAlphanumerics
            allowed.insert(charactersIn: "-._~ ")
            let encoded = (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: " ", with: "+")
            #expect(FormBody.decode(encoded, plusIsSpace: true) == text)
            #expect(FormBody.parse("a=\(encoded)&b=2")["a"] == text)
            _ = FormBody.decode(text, plusIsSpace: true)  // raw, possibly malformed: must not trap
            _ = FormBody.pairs(text)
        }
    }

    @Test func pathSegmentsKeepTheirPlus() {
        #expect(FormBody.decode("petal-802%40vm", plusIsSpace: false) == "petal-802@vm")
        #expect(FormBody.decode("a+b%2Fc", plusIsSpace: false) == "a+b/c")
        #expect(FormBody.decode("%zz%", plusIsSpace: false) == "%zz%", "malformed escapes stay as written")
        #expect(FormBody.decode("%FF", plusIsSpace: false) == "\u{FFFD}", "bytes that are not UTF-8 become U+FFFD")
    }

    @Test func allowedHostsNeverTrapAndAdmitOnlyWhatTheyShould() async {
        let hosts = AllowedHosts(list: "monitor.example, .ops.example", listeningOn: "0.0.0.0")
        await propertyCheck(count: 500, input: HostileInput.text) { text in
            _ = hosts.permits(text)
            if text.contains(where: { $0.isLetter && $0.isASCII }) && !text.lowercased().contains("localhost") && !text.lowercased().contains("example") {
                #expect(!hosts.permits(text + ".evil") || text.hasPrefix("["), "\(text)")
            }
        }
        for allowed in ["127.0.0.1:5555", "10.1.2.3", "[::1]:5555", "localhost", "LOCALHOST:1", "a.localhost", "monitor.example:80",
                        "x.ops.example", nil] {
            #expect(hosts.permits(allowed), "\(allowed ?? "no Host")")
        }
        for refused in ["evil.example", "monitor.example.evil", "ops.example", "127.0.0.1.evil", "999.1.1.1", "localhost.evil"] {
            #expect(!hosts.permits(refused), "\(refused)")
        }
    }

    @Test func signedTokensCannotBeForged() async {
        let signer = MessageSigner(secret: "s3cret")
        let other = MessageSigner(secret: "another")
        await propertyCheck(count: 300, input: HostileInput.text) { text in
            _ = signer.verify(text)  // whatever it is, it must not trap
            guard !text.isEmpty else { return }
            let token = signer.sign(text)
            #expect(signer.verify(token) == text)
            #expect(other.verify(token) == nil)
            #expect(signer.verify(token + "0") == nil)
            #expect(signer.verify(text + "." + String(repeating: "0", count: 64)) == nil)
        }
    }

    @Test func routeTableMatchesPatterns() {
        let table = RouteTable()
        let recorder = RouteRecorder(Router(), table: table)
        recorder.get("/worker/:name") { _, _ in "" }
        recorder.post("/worker/:name/:action") { _, _ in "" }
        #expect(table.methods(for: "/worker/petal-1%40vm") == [.get, .head])
        #expect(table.methods(for: "/worker/a/grow") == [.post])
        #expect(table.methods(for: "/nowhere").isEmpty)
    }
}
