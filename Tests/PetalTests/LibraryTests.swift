import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import Testing

/// Petal's Redis function library as Redis holds it: loaded once, replaced when it differs,
/// loaded again when Redis lost it, errors named by file and line, and clean under luacheck.
@Suite("Function library")
struct LibraryTests: LibraryCaller {
    let server: RedisServer
    let connection: RedisConnection
    let keys = Keys()

    init() throws {
        server = try RedisServer()
        connection = RedisConnection(configuration: server.configuration)
    }

    /// The functions Redis holds in Petal's library (FUNCTION LIST: a flat map per library, its
    /// `functions` a flat map per function).
    private var registered: Set<String> {
        get throws {
            let library = try connection.command("FUNCTION", "LIST", "LIBRARYNAME", PetalLibrary.library.name).array?.first?.array ?? []
            guard let at = library.firstIndex(where: { $0.string == "functions" }), at + 1 < library.count else { return [] }
            return Set((library[at + 1].array ?? []).compactMap { $0.array?[1].string })
        }
    }

    @Test func everyFunctionTheSwiftSideCallsIsRegisteredAndNoOther() throws {
        _ = try call(PromoteCall(limit: 1))
        #expect(try registered == Set(PetalFunction.allCases.map(\.redisName)))
    }

    @Test func aLibraryRedisLostIsLoadedAgainAndACallRunsOnce() async throws {
        let single = server.petalClient(poolSize: 1)
        _ = try await single.enqueue(EnqueueRequest(task: "noop"))  // its connection has checked the library
        try connection.command("FUNCTION", "FLUSH")
        // Three calls in one pipeline, each refused as unknown: loaded, then each sent once more.
        _ = try await single.enqueue(many: (0..<250).map { _ in EnqueueRequest(task: "noop") })
        #expect(try connection.command("LLEN", keys.queue("default")).int == 251)
        _ = try call(PromoteCall(limit: 1))  // this connection too
        try connection.command("FUNCTION", "FLUSH")
        #expect(try call(PurgeCall(queue: "default")) == 251, "run once, after loading")
    }

    @Test func anotherVersionInRedisIsReplacedOnFirstUse() async throws {
        try connection.command("FUNCTION", "LOAD", "#!lua name=\(PetalLibrary.library.name)\nredis.register_function('petal_promote', function() return 42 end)")
        let fresh = RedisConnection(configuration: server.configuration)
        #expect(try fresh.call(PromoteCall(limit: 1), keys: keys) == 0)
        #expect(try registered.count == PetalFunction.allCases.count)
    }

    @Test func errorsNameTheFileAndLine() throws {
        // A caller breaking the protocol (a job count that is not a number) gets the function's own words...
        #expect(throws: RedisError.server("ERR enqueue: expected x jobs of 13 fields")) {
            _ = try connection.callFunction(PetalFunction.enqueue.redisName, in: PetalLibrary.library,
                                            arguments: ["petal", RedisArgument(Clock.text(Clock.now())), "x", "producer"])
        }
        // ...and a Lua error is placed in its file (query with a term count that is not a number).
        do {
            _ = try connection.callFunction(PetalFunction.query.redisName, in: PetalLibrary.library,
                                            arguments: ["petal", RedisArgument(Clock.text(Clock.now())), "desc", "-inf", "+inf", "0", "1",
                                                        "1", "0", "", "", "", "", "many"])
            Issue.record("a Lua error was expected")
        } catch {
            let message = "\(error)"
            #expect(message.contains("query.lua:"), "\(message)")
            #expect(!message.contains("user_function"), "\(message)")
        }
    }

    @Test func locatesLinesInTheRightFile() throws {
        let library = RedisFunctionLibrary(name: "t", parts: [("a.lua", "#!lua name=t\nx\n"), ("b.lua", "y\nz")])
        #expect(library.location(ofLine: 2)?.part == "a.lua")
        #expect(library.location(ofLine: 3)?.part == "b.lua" && library.location(ofLine: 4)?.line == 2)
        #expect(library.location(ofLine: 5) == nil)
        #expect(library.located("ERR user_function:4: boom script: f, on @user_function:4.") == "ERR b.lua:2: boom script: f, on @b.lua:2.")
    }

    /// luacheck (Debian's lua-check) over the library as Redis loads it, with the repository's
    /// .luacheckrc: any warning fails, reported at its file and line.
    @Test func luacheckFindsNothing() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let luacheck = "/usr/bin/luacheck"
        try #require(FileManager.default.isExecutableFile(atPath: luacheck), "luacheck is not installed (make test installs lua-check)")
        let library = PetalLibrary.library
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("petal-\(UUID().uuidString).lua")
        try library.source.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: luacheck)
        process.arguments = ["--config", root.appendingPathComponent(".luacheckrc").path, "--no-color", "--formatter", "plain", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "<file>:<line>:<column>: <warning>", placed in the library's own files.
        let warnings = text.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: ":", maxSplits: 3)
            guard parts.count == 4, let number = Int(parts[1]), let place = library.location(ofLine: number) else { return String(line) }
            return "\(place.part):\(place.line):\(parts[2]):\(parts[3])"
        }
        #expect(process.terminationStatus == 0 && warnings.isEmpty, "\(warnings.joined(separator: "\n"))")
    }
}
