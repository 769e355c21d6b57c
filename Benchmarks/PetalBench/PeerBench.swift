import Foundation
import Petal

/// `--sections peers`: Petal beside Sidekiq, Celery and RQ on no-op jobs, against the bench's own
/// redis-server in the same run (docs/PERFORMANCE.md, "Side by side with Sidekiq, Celery and RQ").
///
/// Every system is measured the same way. Enqueue: the client's calls, timed. Drain: `bulk` puts N
/// jobs in the queue first; then the clock starts just before the worker starts and stops when the
/// N-th job has run. Each figure also shows Redis's own CPU per job (`INFO cpu`, user + system,
/// before and after the run, divided by N), since Redis, single-threaded, is the ceiling. The
/// peers' programs live in Benchmarks/peers/; a peer that cannot run is reported as skipped.
struct PeerBench {
    let bench: Bench
    let directory: String
    let python: String
    /// No-op jobs for Petal's and Sidekiq's drains; Celery and RQ, far slower, get fewer.
    let jobs: Int

    func run() async throws -> String {
        var table = PeerTable()
        try await measurePetal(into: &table)
        for peer in peers() {
            switch await peer.program.version(redisURL: bench.redisURL) {
            case .failure(let reason):
                table.skip(peer.name, reason: "\(reason) (`make bench` installs it)")
            case .success(let version):
                await measure(peer, version: version, into: &table)
            }
        }
        try await bench.flushForOthers()
        return table.render(title: "Side by side: no-op jobs, one redis-server, one run (\(ProcessInfo.processInfo.activeProcessorCount) cores shared by all)")
    }

    // MARK: Petal

    private func measurePetal(into table: inout PeerTable) async throws {
        let bench = self.bench
        table.add(.single, "Petal enqueue", await figure {
            let count = 10_000
            return PeerRun(jobs: count, seconds: Double(count) / (try await bench.enqueueSingle(count: count)))
        })
        for concurrency in [2, 4] {
            let queued = await figure {
                PeerRun(jobs: jobs, seconds: Double(jobs) / (try await bench.enqueuePipelined(count: jobs)))
            }
            if concurrency == 2 { table.add(.bulk, "Petal enqueue(many:), 1,000 a call, 4 calls in flight", queued) }
            guard case .measured = queued else { continue }
            table.add(.drain, "Petal -c \(concurrency)", await figure(flushFirst: false) {
                try await petalDrain(concurrency: concurrency)
            })
        }
    }

    /// The jobs already queued, run by a `petal worker` started now; done when `stats:total`
    /// counts them all (polled every 10 ms: how soon the bench notices, not what the worker does).
    private func petalDrain(concurrency: Int) async throws -> PeerRun {
        let start = Clock.now()
        let worker = try bench.spawnWorker(concurrency: concurrency)
        defer { worker.stop(grace: 10); kill(-worker.pid, SIGKILL) }
        var first: Double?
        while true {
            let processed = try await bench.processed()
            let now = Clock.now()
            if processed > 0, first == nil { first = now - start }
            if processed >= jobs { return PeerRun(jobs: jobs, seconds: now - start, first: first) }
            if now - start > 900 { throw BenchError("petal worker -c \(concurrency): \(processed) of \(jobs) jobs after 900 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: the peers

    /// A peer: its program, how to call it, and how many jobs it gets.
    struct Peer {
        let name: String
        let program: PeerProgram
        let jobs: Int
        let singleJobs: Int
        let singleLabel: String
        let bulkLabel: String
        /// Label and the arguments after `drain N`, one drain each.
        let drains: [(label: String, arguments: [String])]
    }

    private func peers() -> [Peer] {
        var ruby = PeerProgram(interpreter: "/usr/bin/ruby", script: directory + "/sidekiq_bench.rb")
        ruby.environment["RUBYOPT"] = "--yjit"  // Ruby 3.1's JIT: Sidekiq at its best
        let celery = PeerProgram(interpreter: python, script: directory + "/celery_bench.py")
        let rq = PeerProgram(interpreter: python, script: directory + "/rq_bench.py")
        let slow = max(100, jobs / 10), slower = max(100, jobs / 20)
        return [
            Peer(name: "Sidekiq", program: ruby, jobs: jobs, singleJobs: 10_000, singleLabel: "perform_async",
                 bulkLabel: "push_bulk, 1,000 a call", drains: [("-c 10", ["10"])]),
            Peer(name: "Celery", program: celery, jobs: slow, singleJobs: min(10_000, slow), singleLabel: "delay()",
                 bulkLabel: "group of 1,000, apply_async()",
                 drains: [("prefork -c 2, results ignored", ["prefork", "2"]), ("solo, results ignored", ["solo", "1"])]),
            Peer(name: "RQ", program: rq, jobs: slower, singleJobs: min(10_000, slower), singleLabel: "enqueue",
                 bulkLabel: "enqueue_many, 1,000 a call", drains: [("SimpleWorker", [])]),
        ]
    }

    private func measure(_ peer: Peer, version: String, into table: inout PeerTable) async {
        let (program, url) = (peer.program, bench.redisURL)
        table.add(.single, "\(version) \(peer.singleLabel)", await figure {
            try await program.measure(redisURL: url, ["enqueue", String(peer.singleJobs)])
        })
        for (index, drain) in peer.drains.enumerated() {
            let queued = await figure { try await program.measure(redisURL: url, ["bulk", String(peer.jobs)]) }
            if index == 0 { table.add(.bulk, "\(version) \(peer.bulkLabel)", queued) }
            guard case .measured = queued else { continue }
            table.add(.drain, "\(version) \(drain.label)", await figure(flushFirst: false) {
                try await program.measure(redisURL: url, ["drain", String(peer.jobs)] + drain.arguments)
            })
        }
    }

    // MARK: one figure

    /// Runs `body` between two readings of Redis's CPU time (after a FLUSHALL unless told not to:
    /// a drain runs on what the enqueue before it left). A failure is a row of the table, not the end.
    private func figure(flushFirst: Bool = true, _ body: () async throws -> PeerRun) async -> PeerTable.Outcome {
        do {
            if flushFirst { try await bench.flushForOthers() }
            let before = try await bench.redisCPUSeconds()
            let run = try await body()
            let redisSeconds = try await bench.redisCPUSeconds() - before
            return .measured(run, redisMicrosPerJob: redisSeconds / Double(run.jobs) * 1_000_000)
        } catch {
            return .failed("\(error)")
        }
    }
}
