import PetalTestSupport
import PetalWeb
import PropertyBased
import Testing

/// The signer behind the visitor cookie and the monitor's CSRF tokens: swift-crypto's
/// HMAC-SHA-256, checked against RFC 4231's test vectors, and tokens that refuse any edit.
@Suite("Message signer")
struct MessageSignerTests {
    /// RFC 4231, section 4: key, data and HMAC-SHA-256 for test cases 1–4, 6 and 7 (case 5,
    /// a truncated output, below).
    static let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test func rfc4231TestVectors() {
        for (index, vector) in Self.vectors.enumerated() {
            #expect(MessageSigner(key: vector.key).signature(bytes: vector.data) == vector.mac, "vector \(index)")
        }
        // Case 5: the first 128 bits of the output.
        let truncated = MessageSigner(key: [UInt8](repeating: 0x0c, count: 20)).signature(bytes: Array("Test With Truncation".utf8))
        #expect(truncated.prefix(32) == "a3b6167473100ee06e0c796c2955552b")
        // A text secret is its UTF-8 bytes (case 2's key is text).
        #expect(MessageSigner(secret: "Jefe").signature("what do ya want for nothing?") == Self.vectors[1].mac)
    }

    @Test func aTokenVerifiesUnderItsSecretOnly() {
        let signer = MessageSigner(secret: "one secret")
        let token = signer.sign("visitor-1")
        #expect(signer.verify(token) == "visitor-1")
        #expect(MessageSigner(secret: "another secret").verify(token) == nil)
        #expect(signer.verify("visitor-2" + token.drop(while: { $0 != "." })) == nil, "another id under the same signature")
        #expect(signer.verify("visitor-1") == nil)
        #expect(signer.verify("." + signer.signature("")) == nil, "an empty message is no token")
        #expect(signer.verify(token.uppercased()) == nil)
    }

    @Test func everyEditOfATokenIsRefused() async {
        let signer = MessageSigner(secret: "test-secret")
        let token = Array(signer.sign("0b7f4c1e-2f7a-4bb1-9d36-6f3d7a0e8f21"))
        await propertyCheck(count: 200, input: Gen.int(in: 0...(token.count - 1)), HostileInput.text) { position, replacement in
            var edited = token
            edited.replaceSubrange(position...position, with: Array(replacement))
            if edited != token { #expect(signer.verify(String(edited)) == nil, "\(String(edited))") }
        }
    }
}
