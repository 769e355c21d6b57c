import Foundation
import PetalRunner
import PetalTestSupport
import PropertyBased
import Testing

/// Procfiles and .env files are outside input too: whatever lines they hold, reading them gives a
/// result (skipped lines named by file and line) or an error with file and line, never a trap.
@Suite("Procfile and .env properties")
struct ParsingPropertyTests {
    static let lines = Generator<String, Shrink.None<String>>(run: { rng in
        (0..<Int.random(in: 0...8, using: &rng)).map { _ in
            let pieces = ["web", "worker.1", "x-y_z", ":", "=", " ", "#", "export ", "'", "\"", "\\", "$PORT", "${PORT:-5}", "\r", "\t",
                          HostileInput.text.run(using: &rng)]
            return (0..<Int.random(in: 1...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        }.joined(separator: "\n")
    })

    @Test func procfilesNeverTrap() async {
        await propertyCheck(count: 500, input: Self.lines) { text in
            do {
                let procfile = try Procfile(parsing: text, file: "Procfile")
                #expect(procfile.entries.allSatisfy { !$0.name.isEmpty })
                #expect(procfile.warnings.allSatisfy { $0.file == "Procfile" && $0.line > 0 })
            } catch {
                #expect("\(error)".contains("Procfile"), "errors name the file: \(error)")
            }
        }
    }

    @Test func envFilesNeverTrapNorFail() async {
        await propertyCheck(count: 500, input: Self.lines) { text in
            let parsed = EnvFile.parse(text, file: ".env")
            #expect(parsed.pairs.allSatisfy { !$0.0.isEmpty })
            #expect(parsed.warnings.allSatisfy { "\($0)".hasPrefix(".env:") })
        }
    }
}
