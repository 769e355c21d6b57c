import Foundation
import Petal
import PetalRedis
import PetalTestSupport
import PetalWorker
import Testing

/// Typed tasks end to end: a real `petal worker` runs the built-in typed tasks (`hello`, `progress`)
/// against a real redis-server; the client enqueues by type and reads typed results.
@Suite("Typed tasks", .serialized)
struct TypedTaskTests {
    let server: RedisServer
    let client: PetalClient

    init() throws {
        server = try RedisServer()
        client = server.petalClient(poolSize: 2)
    }

    @Test func aTypedJobRoundTripsItsArgumentsAndResult() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 2)
        defer { worker.stop() }
        let progress = try await client.enqueue(BuiltinTasks.Progress.self, .init(total: 3, stepSeconds: 0.05))
        let hello = try await client.enqueue(BuiltinTasks.Hello.self, .init(name: "Typed"), options: .init(queue: "default", group: "g1"))
        #expect(try await progress.result(timeout: 30) == .init(completed: 3, total: 3, fallback: false))
        #expect(try await hello.result(timeout: 30) == "Hello, Typed!")
        let record = try #require(try await progress.record())
        #expect(record.argsJSON == "[]" && record.kwargsJSON == #"{"step_seconds":0.05,"total":3}"#, "arguments travel as kwargs, by name")
        #expect(record.resultJSON == #"{"completed":3,"fallback":false,"total":3}"#)
        #expect(try await hello.record()?.group == "g1")
        // Untyped callers of a typed task: positional args fill its argument order.
        let positional = try await client.enqueue(EnqueueRequest(task: "progress", args: [2, 0.01]))
        #expect(try await client.handle(BuiltinTasks.Progress.self, id: positional).result(timeout: 30).completed == 2)
    }

    @Test func argumentsThatDoNotDecodeFailAtOnceNamingTheField() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        let word = try await client.enqueue(EnqueueRequest(task: "progress", kwargs: ["total": "ten"], maxRetries: 3))
        let positional = try await client.enqueue(EnqueueRequest(task: "progress", args: [3, "slow"]))
        let huge = try await client.enqueue(EnqueueRequest(task: "progress", argsJSON: "[]", kwargsJSON: #"{"total": 99999999999999999999}"#))
        let endless = try await client.enqueue(EnqueueRequest(task: "progress", argsJSON: "[]", kwargsJSON: #"{"total": 2, "step_seconds": 1e308}"#))
        do throws(JobResultError) {
            _ = try await client.handle(BuiltinTasks.Progress.self, id: word).result(timeout: 30)
            Issue.record("a job with a word for a number succeeded")
        } catch .failed(_, let exception, _) {
            #expect(exception == #"InvalidArguments: kwargs.total: expected Int, got "ten""#)
        }
        let failed = try await Eventually.job(client, word)
        #expect(failed.state == .failure && failed.retries == 0, "not retried: the same arguments would fail again")
        #expect(try await Eventually.job(client, positional).exception == #"InvalidArguments: args[1] (step_seconds): expected Double, got "slow""#)
        #expect(try await Eventually.job(client, huge).exception == "InvalidArguments: kwargs.total: expected Int, got 1e+20 (out of range)")
        #expect(try await Eventually.job(client, endless).exception?.hasPrefix("InvalidArguments: step_seconds × total must be from 0 to") == true,
                "a step of 1e308 s would hold a child for ever")
        let after = try await client.enqueue(BuiltinTasks.Hello.self, .init())
        #expect(try await after.result(timeout: 30) == "Hello, world!", "the worker carries on")
    }

    @Test func storedArgumentsThatAreNotJSONSayWhy() async throws {
        // Enqueued before any worker runs, so the stored kwargs can be spoiled first.
        let deep = try await client.enqueue(EnqueueRequest(task: "hello", argsJSON: "[]",
                                                           kwargsJSON: String(repeating: "[", count: 600) + String(repeating: "]", count: 600)))
        let infinite = try await client.enqueue(EnqueueRequest(task: "hello", argsJSON: "[]", kwargsJSON: #"{"name": 1e309}"#))
        let bytes = try await client.enqueue(EnqueueRequest(task: "hello"))
        let redis = server.redisClient()
        _ = try await redis.command(["HSET", RedisArgument(client.keys.job(bytes)), "kwargs", RedisArgument(bytes: Array(#"{"name":"a"#.utf8) + [0xFF, 0x22, 0x7D])])
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        #expect(try await Eventually.job(client, deep).exception?.contains("too deeply nested") == true)
        #expect(try await Eventually.job(client, infinite).exception?.contains("the number 1e309 is out of range") == true)
        let invalid = try await Eventually.job(client, bytes)
        #expect(invalid.state == .failure)
        #expect(invalid.exception == "InvalidArguments: args and kwargs must be UTF-8 text; the stored bytes are not")
    }

    @Test func theTypedHandleSaysTimedOutAndRevoked() async throws {
        // No worker consumes this queue: the job waits.
        let waiting = try await client.enqueue(BuiltinTasks.Hello.self, .init(name: "nobody"), options: .init(queue: "nobody-here"))
        do throws(JobResultError) {
            _ = try await waiting.result(timeout: 0.2)
            Issue.record("a job no worker took has a result")
        } catch {
            #expect(error == .timedOut(id: waiting.id, state: .pending))
        }
        #expect(try await client.revoke(waiting.id) == .revoked)
        do throws(JobResultError) {
            _ = try await waiting.result(timeout: 5)
            Issue.record("a revoked job has a result")
        } catch {
            #expect(error.state == .revoked)
            guard case .revoked(let id, _) = error else { Issue.record("\(error)"); return }
            #expect(id == waiting.id)
        }
        do throws(JobResultError) {
            _ = try await client.handle(BuiltinTasks.Hello.self, id: "no-such-job").result(timeout: 1)
            Issue.record("an unknown job has a result")
        } catch {
            #expect(error == .notFound(id: "no-such-job"))
        }
    }

    @Test func aResultOfAnotherTypeIsAClearError() async throws {
        let worker = try await WorkerProcess(redis: server, concurrency: 1)
        defer { worker.stop() }
        // `hello` answers a string; read it as if it were `progress`, whose result is an object.
        let id = try await client.enqueue(EnqueueRequest(task: "hello", args: ["x"]))
        do throws(JobResultError) {
            _ = try await client.handle(BuiltinTasks.Progress.self, id: id).result(timeout: 30)
            Issue.record("a string decoded as an object")
        } catch {
            #expect(error == .undecodableResult(id: id, reason: #"result: expected Output (an object), got "Hello, x!""#))
        }
    }
}
