import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import PropertyBased
import Testing

/// Rate limits as text (Celery's syntax, from the CLI, the monitor and Flower's API) and as the
/// library stores them: the parser never traps, and `petal_rate_limit` applies what code declares
/// only when the declaration changes.
@Suite("Rate limits")
struct RateLimitTests {
    @Test func celerySyntaxReadsAsCeleryReadsIt() throws {
        #expect(try RateLimit.parse("10/s")?.interval == 0.1)
        #expect(try RateLimit.parse("100/m")?.description == "100/m")
        #expect(try RateLimit.parse("1000/h")?.interval == 3.6)
        #expect(try RateLimit.parse(" 10 ")?.description == "10/s", "a bare number is per second")
        #expect(try RateLimit.parse("0.5/s")?.interval == 2)
        #expect(try RateLimit.parse("2.50/m")?.description == "2.5/m")
        #expect(try RateLimit.parse("0") == nil && RateLimit.parse("") == nil && RateLimit.parse("0/m") == nil && RateLimit.parse("0.0/h") == nil)
        for bad in ["10/S", "10/d", "10/", "/s", "-1/s", "+1/s", "1e3/s", "inf/s", "nan", "1,5/s", "10 /s", "0x10/s", "1.2.3/s", ".", "0.0001/s",
                    "2000000/s", "10/s/s", "日/s", "1\u{0}/s"] {
            #expect(throws: RateLimitError.self, "'\(bad)'") { try RateLimit.parse(bad) }
        }
        for (text, reason) in [("1.2345/s", "at most three decimals"), ("0.0009999999999999999999999999/s", "at most three decimals"), ("0.0004/s", "from 0.001 to 1000000"),
                               ("1000001/s", "from 0.001 to 1000000"), ("1./s", "expected a number"), (".5/s", "expected a number")] {
            let refused = try #require(throws: RateLimitError.self) { try RateLimit.parse(text) }
            #expect(refused.reason.contains(reason) && refused.text == text, "\(text): \(refused)")
        }
        #expect(try RateLimit.parse("1.2500/s")?.description == "1.25/s")
        let error = try #require(throws: RateLimitError.self) { try RateLimit.parse("10/x") }
        #expect(error.description == "invalid rate limit '10/x': the unit after / must be s, m or h, as in 10/s, 100/m or 1000/h")
    }

    /// The `rate_limit` control command as a worker reads it: Celery's numbers and text; a rate
    /// that is none is the worker's refusal, saying why.
    @Test func theControlCommandReadsRatesAsAWorkerDoes() throws {
        #expect(try ControlCommand(name: "rate_limit", arguments: ["task": "a", "rate": "10/m"]) == .rateLimit(task: "a", rate: RateLimit.parse("10/m")))
        #expect(try ControlCommand(name: "rate_limit", arguments: ["task": "a", "rate": 5]) == .rateLimit(task: "a", rate: RateLimit.parse("5/s")))
        #expect(try ControlCommand(name: "rate_limit", arguments: ["task": "a", "rate": ""]) == .rateLimit(task: "a", rate: nil))
        for (arguments, said) in [(["task": "a", "rate": "fast"], "invalid rate limit 'fast'"), (["task": "a"], "rate is required"),
                                  (["rate": "1/s"], "task is required"), (["task": "a", "rate": [1]], "rate must be text")] as [([String: JSONValue], String)] {
            let refusal = try #require(throws: ControlCommand.Refusal.self) { try ControlCommand(name: "rate_limit", arguments: arguments) }
            #expect(refusal.description.contains(said), "\(arguments): \(refusal)")
        }
    }

    @Test func anyTextParsesToARateItsOwnTextGivesBackOrToAReason() async {
        let pieces = ["0", "1", "10", ".", "5", "/", "s", "m", "h", "S", " ", "-", "e", "999999999", "\u{0}", "é"]
        let rateText = Generator<String, Shrink.None<String>>(run: { rng in
            if Bool.random(using: &rng) { return HostileInput.text.run(using: &rng) }
            return (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
        })
        await propertyCheck(count: 1000, input: rateText) { text in
            do {
                guard let rate = try RateLimit.parse(text) else { return }
                #expect(rate.interval.isFinite && rate.interval > 0, "'\(text)'")
                #expect(try RateLimit.parse(rate.description) == rate, "'\(text)' -> \(rate)")
            } catch let error as RateLimitError {
                #expect(!error.reason.isEmpty)
            } catch {
                Issue.record("'\(text)': \(error) is not a RateLimitError")
            }
        }
    }

    /// A worker's start declares its code's limits: the first declaration applies, a run-time
    /// change holds over later starts that declare the same, and a changed declaration wins.
    @Test func declaredLimitsApplyOnlyWhenTheDeclarationChanges() async throws {
        let server = try RedisServer()
        let client = server.petalClient(poolSize: 1)
        let redis = RedisClient(configuration: server.configuration, poolSize: 1)
        let keys = client.keys
        func declare(_ rate: String?) async throws -> RateLimitCall.Reply {
            let call = RateLimitCall(declared: true, limits: [("mail.send", try rate.flatMap(RateLimit.parse))])
            return try await redis.withConnection { connection throws(RedisError) in try connection.call(call, keys: keys) }
        }
        func fleet() async throws -> String? { try await client.rateLimits().first { $0.task == "mail.send" }?.fleet?.description }
        #expect(try await declare("10/s").changed == 1)
        #expect(try await fleet() == "10/s")
        try await client.setRateLimit(try RateLimit.parse("3/m"), for: "mail.send")
        #expect(try await declare("10/s").changed == 0, "the same declaration again: the run-time change holds")
        #expect(try await fleet() == "3/m")
        #expect(try await declare("20/s").changed == 1)
        #expect(try await fleet() == "20/s")
        try await client.setRateLimit(try RateLimit.parse("1200/m"), for: "mail.send")
        let respelt = try await redis.withConnection { connection throws(RedisError) in
            try connection.call(RateLimitCall(limits: [("mail.send", try? RateLimit.parse("72000/h"))]), keys: keys)
        }
        #expect(respelt.changed == 0, "the same rate spelt otherwise is no change")
        #expect(try await fleet() == "72000/h")
        #expect(try await declare("20/s").changed == 0)
        #expect(try await declare(nil).changed == 1, "a dropped declaration removes the limit")
        #expect(try await fleet() == nil)
        // What the library refuses, it refuses before writing anything.
        for bad in [["", "set", "t", "10/x"], ["", "set", "", "10/s"], ["", "sometimes", "t", "1/s"], ["w", "code", "t", "1/s"], ["", "set", "t"],
                    ["", "set", "t", "0.0000000001/h"], ["", "set", "t", "99999999999999999999999/s"], ["", "set", "t", "1./s"],
                    ["", "set", "t", "1.2345/s"], ["", "set", "t", "1000001/s"], ["nobody@x", "set", "t", "1/s"]] {
            let error = await #expect(throws: RedisError.self, "\(bad)") {
                try await redis.command(["FCALL", "petal_rate_limit", "0", RedisArgument(keys.prefix), "1"] + bad.map { RedisArgument($0) })
            }
            #expect("\(error.map { "\($0)" } ?? "")".contains("rate_limit"), "\(bad): \(String(describing: error))")
        }
        #expect(try await redis.command(["HGETALL", RedisArgument(keys.rateLimits)]).array?.isEmpty == true)
    }
}
