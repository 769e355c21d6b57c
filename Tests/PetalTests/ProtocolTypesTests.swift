import Foundation
import Petal
import Testing

/// The typed protocol values read back what they write, and refuse what no worker should run.
@Suite("Protocol types")
struct ProtocolTypesTests {
    static let commands: [ControlCommand] = [
        .ping, .poolGrow(2), .poolShrink(), .poolRestart, .autoscale(max: 4, min: 1), .shutdown, .addConsumer("video.hi-res_2"),
        .cancelConsumer("low"), .timeLimit(task: "add", soft: 1.5, hard: 3), .terminate(id: "j1", signal: "SIGKILL"),
    ]

    @Test(arguments: commands)
    func everyControlCommandReadsBackAsSent(command: ControlCommand) throws {
        let message = ControlMessage(command: command, destination: nil, replyTo: nil)
        let received = try #require(ControlMessage.receive(message.json))
        #expect(received.command == .success(command))
        #expect(received.commandName == command.name.rawValue)
        #expect(received.isAddressed(to: "anyone"))
    }

    @Test func unknownCommandsAndBadArgumentsAreRefusedWithAReason() throws {
        func refusal(_ name: ControlCommand.Name?, _ arguments: [String: JSONValue], raw: String = "bogus") -> String? {
            do {
                _ = try ControlCommand(name: name?.rawValue ?? raw, arguments: arguments)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(refusal(nil, [:]) == "unknown control command 'bogus'")
        #expect(refusal(.poolGrow, ["n": -1]) == "n must be a non-negative whole number")
        #expect(refusal(.poolGrow, ["n": "x"]) == "n must be a non-negative whole number")
        #expect(refusal(.autoscale, ["max": 0]) != nil)
        #expect(refusal(.autoscale, ["max": 300, "min": 1]) != nil)
        #expect(refusal(.addConsumer, ["queue": "a b"]) == QueueName.message(for: "a b"))
        #expect(refusal(.cancelConsumer, [:]) == "queue is required")
        #expect(refusal(.timeLimit, ["task": "t", "soft": 5, "hard": 1]) == "need 0 <= soft <= hard")
        #expect(refusal(.timeLimit, ["task": "t", "soft": -1]) != nil)
        #expect(refusal(.terminate, [:]) == "id is required")
        // Numbers may come as text (other senders); missing counts default.
        #expect(try ControlCommand(name: ControlCommand.Name.poolGrow.rawValue, arguments: ["n": "3"]) == .poolGrow(3))
        #expect(try ControlCommand(name: ControlCommand.Name.poolShrink.rawValue, arguments: [:]) == .poolShrink(1))
        #expect(try ControlCommand(name: ControlCommand.Name.timeLimit.rawValue, arguments: ["task": "t"]) == .timeLimit(task: "t", soft: 0, hard: 0))
    }

    @Test func aHeartbeatReadsBackAsWritten() throws {
        let beat = WorkerHeartbeat(name: "w@h", hostname: "h", pid: 42, queues: ["high", "low"], concurrency: 3, children: [7, 8],
                                   active: [.init(id: "j1", task: "add", pid: 7, started: 1_700_000_000.25)], autoscaleMin: 1,
                                   autoscaleMax: 5, loadAverage: [0.5, 0.25, 0.125], rssBytes: 1_000_000, startedAt: 1_700_000_000,
                                   time: 1_700_000_100.5, heartbeatInterval: 2, version: PetalProtocol.petalVersion, registered: ["add"],
                                   timeLimits: ["add": [1, 2]], shuttingDown: true)
        let fields = Dictionary(uniqueKeysWithValues: beat.fields)
        #expect(WorkerHeartbeat(fields: fields) == beat)
        #expect(WorkerHeartbeat(fields: [:]) == nil, "an empty record is an offline worker")
        var plain = beat
        (plain.autoscaleMin, plain.autoscaleMax, plain.startedAt) = (nil, nil, nil)
        #expect(WorkerHeartbeat(fields: Dictionary(uniqueKeysWithValues: plain.fields)) == plain)
        #expect(plain.fields.count == beat.fields.count - 3, "fields without a value are left out")
    }

    @Test func aCorruptHeartbeatReadsWithoutTrapping() {
        let beat = WorkerHeartbeat(fields: ["name": "w", "pid": "99999999999999999999", "children": "[1e300, -5, 2.5, 3]",
                                            "active": "[{\"id\":1}]", "interval": "nan", "queues": "not json"])
        #expect(beat?.pid == 0 && beat?.children == [-5, 2, 3] && beat?.active == [] && beat?.heartbeatInterval == 2 && beat?.queues == [])
    }

    @Test func aNoticeReadsBackAsWritten() throws {
        let notice = JobNotice(id: "j1", task: "greet", state: .progress, group: "visitor", time: 1_700_000_000.5, current: 3, total: 10,
                               message: "step \"3\"")
        #expect(JobNotice(json: notice.json) == notice)
        let done = JobNotice(id: "j2", task: "add", state: .success, time: 1, resultJSON: "{\"a\":1}")
        #expect(JobNotice(json: done.json) == done)
        #expect(JobNotice(json: "{\"id\":\"j\",\"state\":\"BOGUS\"}") == nil)
        #expect(JobNotice(json: "probe") == nil)
    }
}

extension ControlCommand: CustomTestStringConvertible {
    public var testDescription: String { name.rawValue }
}
