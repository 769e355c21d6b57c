import Foundation
import Petal
import PetalTestSupport
import PropertyBased
import Testing

/// Properties of the protocol's readers of outside text: JSON bodies and arguments, the search
/// language, job records as Redis hands them back. None of them may trap, whatever they are given.
@Suite("Parser properties")
struct ParserPropertyTests {
    @Test func jsonNeverTrapsAndNeverYieldsANonFiniteNumber() async {
        await propertyCheck(count: 500, input: HostileInput.jsonText) { text in
            guard let value = try? JSONValue(parsing: text) else { return }
            #expect(Self.allFinite(value), "\(text.prefix(80))")
            #expect((try? JSONValue(parsing: value.jsonText)) == value, "what Petal writes it reads back")
        }
        await propertyCheck(count: 300, input: HostileInput.text) { text in
            _ = try? JSONValue(parsing: text)
        }
    }

    @Test func jsonSaysWhyItRefuses() throws {
        for (text, reason) in [("[1e309]", "out of range"), ("{\"n\":-1e400}", "out of range"), ("[NaN]", "not valid JSON"),
                               ("[Infinity]", "not valid JSON"), (String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000), "too deeply nested")] {
            do {
                _ = try JSONValue(parsing: text)
                Issue.record("\(text.prefix(20)) was accepted")
            } catch {
                #expect("\(error)".contains(reason), "\(text.prefix(20)): \(error)")
            }
        }
        #expect(try JSONValue(parsing: String(repeating: "[", count: 500) + String(repeating: "]", count: 500)).arrayValue != nil)
    }

    @Test func theSearchLanguageNeverTraps() async {
        await propertyCheck(count: 500, input: HostileInput.text) { text in
            _ = try? JobSearch(parsing: text)
        }
        #expect((try? JobSearch(parsing: "state:FAILURE name:fail")) != nil)
        #expect((try? JobSearch(parsing: "state:FAILURE+name:fail")) == nil, "an undecoded + is not a space")
    }

    @Test func corruptJobRecordsReadWithoutTrapping() async {
        let fields = ["id", "task", "queue", "args", "kwargs", "state", "sent", "received", "started", "succeeded", "failed", "retries",
                      "max_retries", "deliveries", "redeliveries", "runtime", "progress_current", "progress_total", "eta", "expires", "pid"]
        await propertyCheck(count: 500, input: HostileInput.text.array(of: fields.count...fields.count)) { values in
            let record = JobRecord(id: "j", pairs: zip(fields, values).map { ($0, $1) })
            if let record {
                for time in [record.sent, record.started, record.succeeded, record.eta, record.runtime].compactMap({ $0 }) {
                    #expect(time.isFinite)
                }
                _ = record.progress?.fraction
                _ = record.result
            }
        }
    }

    @Test func timesAndIntervalsOutsideTheirBoundsAreRefused() async throws {
        let client = try RedisServer().petalClient(poolSize: 1)
        for request in [EnqueueRequest(task: "add", countdown: 1e19), EnqueueRequest(task: "add", countdown: .infinity),
                        EnqueueRequest(task: "add", countdown: .nan), EnqueueRequest(task: "add", expiresIn: -1),
                        EnqueueRequest(task: "add", softTimeLimit: 4e8), EnqueueRequest(task: "add", eta: Date(timeIntervalSince1970: 1e15)),
                        EnqueueRequest(task: "add", maxRetries: Int.max)] {
            await #expect(throws: PetalError.self) { try await client.enqueue(request) }
        }
        #expect(Clock.text(.infinity) == Clock.text(TimeBounds.latestMoment), "a bad moment is clamped, never a trap")
        #expect(Clock.text(.nan) == "0.000000")
        #expect(Int(wholePartOf: 1e19) == nil && Int(wholePartOf: .nan) == nil && Int(wholePartOf: -2.7) == -2)
        #expect(Int(saturating: .infinity) == Int.max && Int(saturating: -1e300) == Int.min && Int(saturating: .nan) == 0)
    }

    private static func allFinite(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let number): return number.isFinite
        case .array(let items): return items.allSatisfy(allFinite)
        case .object(let members): return members.values.allSatisfy(allFinite)
        default: return true
        }
    }
}
