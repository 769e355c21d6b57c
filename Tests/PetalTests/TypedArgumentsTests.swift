import Petal
import PetalTestSupport
import PropertyBased
import Testing

/// Typed task arguments on the wire: any Codable value goes out as kwargs and comes back equal,
/// and stored kwargs that do not fit fail with the field's path and the expected type.
@Suite("Typed arguments")
struct TypedArgumentsTests {
    struct Sample: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable, CaseIterable { case small, large = "LARGE", odd = "with \"quotes\"" }
        enum Shape: Codable, Sendable, Equatable { case circle(radius: Double), square(side: Int), none }
        struct Inner: Codable, Sendable, Equatable {
            var items: [Int]
            var maybe: [Int?]
            var label: String?
        }
        var count: Int
        var ratio: Double
        var single: Float
        var name: String
        var flag: Bool
        var note: String?
        var tags: [String]
        var scores: [String: Int]
        var byNumber: [Int: String]
        var inner: Inner
        var kind: Kind
        var shape: Shape
        var small: Int8
        var unsigned: UInt64
        var anything: JSONValue
    }

    enum SampleTask: TaskDeclaration {
        typealias Arguments = Sample
        typealias Output = Sample
        static let name = "test.sample"
    }

    struct Greeting: Codable, Sendable, Equatable {
        var person: String
        var total: Int
    }

    enum GreetTask: TaskDeclaration {
        typealias Arguments = Greeting
        typealias Output = String
        static let name = "test.greet"
        static let argumentOrder = ["person", "total"]
    }

    @Test func anyArgumentsValueRoundTripsThroughTheJSONWireForm() async {
        await propertyCheck(count: 300, input: Self.samples) { sample in
            do {
                let kwargs = try SampleTask.kwargs(sample)
                // What Redis stores and a worker reads back: the kwargs object's JSON text.
                let stored = JSONValue.object(kwargs).jsonText
                guard case .object(let read) = try JSONValue(parsing: stored) else {
                    Issue.record("kwargs did not read back as an object: \(stored.prefix(120))")
                    return
                }
                let decoded = try SampleTask.arguments(args: [], kwargs: read)
                #expect(decoded == sample, "\(stored.prefix(300))")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func argumentsTravelAsKeywordArgumentsByName() throws {
        let kwargs = try GreetTask.kwargs(Greeting(person: "Ops", total: 10))
        #expect(JSONValue.object(kwargs).jsonText == #"{"person":"Ops","total":10}"#)
        let request = try EnqueueRequest(GreetTask.self, Greeting(person: "Ops", total: 10), options: EnqueueOptions(queue: "q", group: "g"))
        #expect(request.task == "test.greet" && request.argsJSON == "[]" && request.kwargsJSON == #"{"person":"Ops","total":10}"#)
        #expect(request.queue == "q" && request.group == "g")
    }

    @Test func storedArgumentsThatDoNotFitNameTheFieldAndTheType() throws {
        func failure(_ args: [JSONValue], _ kwargs: [String: JSONValue]) -> String {
            do throws(TaskArgumentsError) {
                let value = try GreetTask.arguments(args: args, kwargs: kwargs)
                return "decoded \(value)"
            } catch {
                return error.message
            }
        }
        #expect(failure([], ["person": "Ops", "total": "ten"]) == #"kwargs.total: expected Int, got "ten""#)
        #expect(failure([], ["person": "Ops"]) == "kwargs.total: expected Int, got nothing")
        #expect(failure([], ["person": 5, "total": 1]) == "kwargs.person: expected String, got 5")
        #expect(failure([], ["person": "Ops", "total": 2.5]) == "kwargs.total: expected Int, got 2.5 (not a whole number)")
        #expect(failure([], ["person": "Ops", "total": 1e20]) == "kwargs.total: expected Int, got 1e+20 (out of range)")
        #expect(failure([], ["person": "Ops", "total": .number(1_152_921_504_606_846_976)]).hasSuffix("(out of range)"),
                "beyond ±2^53 a JSON number may already be rounded")
        #expect(failure(["Ops", "ten"], [:]) == #"args[1] (total): expected Int, got "ten""#)
        #expect(failure(["Ops", 1, 2], [:]) == "test.greet takes at most 2 positional (person, total), got 3 positional")
        #expect(failure(["Ops"], ["person": "Ann", "total": 1]) == "person given twice: as args[0] and in kwargs")
        #expect(try GreetTask.arguments(args: ["Ops"], kwargs: ["total": 3]) == Greeting(person: "Ops", total: 3))
    }

    @Test func nestedFieldsArePathsAndEnumsSayWhatWasThere() throws {
        var kwargs = try SampleTask.kwargs(Self.fixed)
        kwargs["inner"] = ["items": [1, 2, "x"], "maybe": []]
        #expect(Self.failure(kwargs) == #"kwargs.inner.items[2]: expected Int, got "x""#)
        kwargs = try SampleTask.kwargs(Self.fixed)
        kwargs["inner"] = 7
        #expect(Self.failure(kwargs) == "kwargs.inner: expected Inner (an object), got 7")
        kwargs = try SampleTask.kwargs(Self.fixed)
        kwargs["small"] = 300
        #expect(Self.failure(kwargs) == "kwargs.small: expected Int8, got 300 (out of range)")
        kwargs = try SampleTask.kwargs(Self.fixed)
        kwargs["kind"] = "medium"
        #expect(Self.failure(kwargs).hasPrefix("kwargs.kind: "), "\(Self.failure(kwargs))")
        #expect(Self.failure(kwargs).contains("medium"))
    }

    @Test func valuesJSONCannotCarryAreRefusedBeforeEnqueueNamingTheField() {
        var sample = Self.fixed
        sample.ratio = .nan
        #expect(Self.refusal(sample) == "invalid request: test.sample: kwargs.ratio: nan is not a JSON number")
        sample = Self.fixed
        sample.inner.items = [1, 9_007_199_254_740_993]
        #expect(Self.refusal(sample) == "invalid request: test.sample: kwargs.inner.items[1]: 9007199254740993 is beyond ±2^53, the integers JSON numbers carry exactly")
        sample = Self.fixed
        sample.single = .infinity
        #expect(Self.refusal(sample)?.contains("kwargs.single: inf is not a JSON number") == true)
    }

    /// A list of itself: nests as deep as it is long.
    indirect enum Chain: Codable, Sendable { case end, link(Chain) }

    @Test func valuesNestedDeeperThanReadersTakeAreRefused() throws {
        let deep = (0..<600).reduce(Chain.end) { chain, _ in .link(chain) }
        do {
            _ = try JSONValueEncoder().encode(["chain": deep])
            Issue.record("a value nested 1,200 levels deep was encoded")
        } catch {
            #expect(CodingFailure.describe(error, root: "kwargs").contains("nested more than 512 levels deep"))
        }
        let shallow = (0..<100).reduce(Chain.end) { chain, _ in .link(chain) }
        let text = try JSONValueEncoder().encode(shallow).jsonText
        #expect(try JSONValue(parsing: text).jsonText == text, "what is encoded reads back")
    }

    @Test func resultsDecodeFromTheStoredJSON() throws {
        let value = try JSONValueEncoder().encode(Self.fixed)
        #expect(try JSONValueDecoder().decode(Sample.self, from: JSONValue(parsing: value.jsonText)) == Self.fixed)
        #expect(try JSONValueDecoder().decode(String.self, from: "Greetings, Ops!") == "Greetings, Ops!")
        do {
            _ = try JSONValueDecoder().decode([Int].self, from: [1, "two"])
            Issue.record("decoded a string as Int")
        } catch {
            #expect(CodingFailure.describe(error, root: "result") == #"result[1]: expected Int, got "two""#)
        }
    }

    // MARK: - Helpers

    static func failure(_ kwargs: [String: JSONValue]) -> String {
        do throws(TaskArgumentsError) {
            _ = try SampleTask.arguments(args: [], kwargs: kwargs)
            return "decoded"
        } catch {
            return error.message
        }
    }

    static func refusal(_ sample: Sample) -> String? {
        do throws(PetalError) {
            _ = try SampleTask.kwargs(sample)
            return nil
        } catch {
            return error.description
        }
    }

    static let fixed = Sample(count: 3, ratio: 0.25, single: 1.5, name: "Ops", flag: true, note: nil, tags: ["a"], scores: ["x": 1],
                              byNumber: [1: "one"], inner: .init(items: [1, 2], maybe: [nil, 3], label: "l"), kind: .large,
                              shape: .circle(radius: 2), small: -8, unsigned: 7, anything: ["k": [1, "v", nil]])

    /// Any Sample: integers across what JSON carries exactly, finite doubles of every magnitude,
    /// strings of any scalars (quotes, backslashes, control characters, emoji), nils and empties.
    static let samples = Generator<Sample, Shrink.None<Sample>>(run: { rng in
        func int() -> Int {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return Int.random(in: -9_007_199_254_740_992...9_007_199_254_740_992, using: &rng)
            case 1: return [0, -1, 1, 9_007_199_254_740_992, -9_007_199_254_740_992].randomElement(using: &rng)!
            default: return Int.random(in: -1000...1000, using: &rng)
            }
        }
        func double() -> Double {
            while true {
                let value = switch Int.random(in: 0..<3, using: &rng) {
                case 0: Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
                case 1: Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 8
                default: [0, -0.0, 1e15, 1e-300, 5e-324, .greatestFiniteMagnitude, 0.1].randomElement(using: &rng)!
                }
                if value.isFinite { return value }
            }
        }
        func string() -> String {
            let pieces = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "é", "日本", "🌸", "\u{7F}", "\u{2028}", "/", "{}", "[]", ""]
            return (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                Bool.random(using: &rng) ? pieces.randomElement(using: &rng)!
                    : String(Unicode.Scalar(UInt32.random(in: 0...0xD7FF, using: &rng)) ?? "x")
            }.joined()
        }
        func maybe<T>(_ make: () -> T) -> T? { Bool.random(using: &rng) ? make() : nil }
        func list<T>(_ make: () -> T) -> [T] { (0..<Int.random(in: 0...4, using: &rng)).map { _ in make() } }
        func json(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .number(Double(int()))
            case 3: return .string(string())
            case 4: return .array(list { json(depth + 1) })
            default: return .object(Dictionary(list { (string(), json(depth + 1)) }) { first, _ in first })
            }
        }
        let shape: Sample.Shape = switch Int.random(in: 0..<3, using: &rng) {
        case 0: .circle(radius: double())
        case 1: .square(side: int())
        default: .none
        }
        return Sample(count: int(), ratio: double(), single: Float(Int.random(in: -1000...1000, using: &rng)) / 4, name: string(),
                      flag: Bool.random(using: &rng), note: maybe(string), tags: list(string),
                      scores: Dictionary(list { (string(), int()) }) { first, _ in first },
                      byNumber: Dictionary(list { (int(), string()) }) { first, _ in first },
                      inner: .init(items: list(int), maybe: list { maybe(int) }, label: maybe(string)),
                      kind: Sample.Kind.allCases.randomElement(using: &rng)!, shape: shape,
                      small: Int8.random(in: .min ... .max, using: &rng), unsigned: UInt64.random(in: 0...9_007_199_254_740_992, using: &rng),
                      anything: json(0))
    })
}
