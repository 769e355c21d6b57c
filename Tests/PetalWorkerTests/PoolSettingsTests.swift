import Foundation
import Petal
@testable import PetalWorker
import Testing

/// What remote control changes in a worker, and what it refuses: no processes, no Redis.
@Suite("Pool settings")
struct PoolSettingsTests {
    func settings(concurrency: Int = 2, autoscale: (min: Int, max: Int)? = nil, queues: [String] = ["default"]) -> PoolSettings {
        PoolSettings(concurrency: concurrency, autoscaleMin: autoscale?.min, autoscaleMax: autoscale?.max, queues: queues)
    }

    @Test func autoscaleBoundsTheStartingSize() {
        #expect(settings(concurrency: 10, autoscale: (1, 4)).targetSize == 4)
        #expect(settings(concurrency: 0, autoscale: (2, 4)).targetSize == 2)
        #expect(settings(concurrency: 3).autoscale == nil)
    }

    @Test func growAndShrinkStayInBoundsAndWidenAutoscale() throws {
        var pool = settings(concurrency: 2, autoscale: (1, 3))
        #expect(try pool.decide(.poolGrow(5), shuttingDown: false) == .changed("pool will grow to 7", queuesChanged: false))
        #expect(pool.autoscale?.max == 7, "a size set by hand widens autoscale's bounds")
        _ = try pool.decide(.poolGrow(1_000), shuttingDown: false)
        #expect(pool.targetSize == ControlCommand.maximumPoolSize)
        _ = try pool.decide(.poolShrink(10_000), shuttingDown: false)
        #expect(pool.targetSize == 0 && pool.autoscale?.min == 0)
    }

    @Test func aWorkerShuttingDownDoesNotGrowButMayShrink() throws {
        var pool = settings()
        #expect(throws: WorkerError.controlRefused("worker is shutting down")) { try pool.decide(.poolGrow(1), shuttingDown: true) }
        #expect(pool.targetSize == 2)
        #expect(try pool.decide(.poolShrink(1), shuttingDown: true) == .changed("pool will shrink to 1", queuesChanged: false))
    }

    @Test func autoscaleAimsWithinItsNewBounds() throws {
        var pool = settings(concurrency: 8)
        #expect(try pool.decide(.autoscale(max: 4, min: 2), shuttingDown: false) == .changed("autoscale now max=4 min=2", queuesChanged: false))
        #expect(pool.targetSize == 4 && pool.autoscale == Autoscaler(min: 2, max: 4))
    }

    @Test func queuesAreAddedOnceAndTheLastIsNeverCancelled() throws {
        var pool = settings(queues: ["default"])
        #expect(try pool.decide(.addConsumer("mail@höst"), shuttingDown: false) == .changed("add consumer mail@höst", queuesChanged: true))
        #expect(try pool.decide(.addConsumer("mail@höst"), shuttingDown: false) == .answer("already consuming from mail@höst"))
        #expect(pool.queues == ["default", "mail@höst"])
        #expect(throws: WorkerError.controlRefused("not consuming from other")) { try pool.decide(.cancelConsumer("other"), shuttingDown: false) }
        #expect(try pool.decide(.cancelConsumer("default"), shuttingDown: false) == .changed("no longer consuming from default", queuesChanged: true))
        #expect(throws: WorkerError.controlRefused("cannot cancel the last queue mail@höst")) {
            try pool.decide(.cancelConsumer("mail@höst"), shuttingDown: false)
        }
        #expect(pool.queues == ["mail@höst"])
    }

    @Test func commandsForProcessesAndRedisAreHandedOn() throws {
        var pool = settings()
        let before = pool
        #expect(try pool.decide(.ping, shuttingDown: false) == .answer("pong"))
        #expect(try pool.decide(.poolRestart, shuttingDown: false) == .restartPool)
        #expect(try pool.decide(.shutdown, shuttingDown: false) == .shutdown)
        #expect(try pool.decide(.timeLimit(task: "add", soft: 1, hard: 2), shuttingDown: false) == .setTimeLimits(task: "add", soft: 1, hard: 2))
        #expect(try pool.decide(.terminate(id: "j", signal: "KILL"), shuttingDown: false) == .terminate(id: "j", signal: SIGKILL))
        #expect(try pool.decide(.terminate(id: "j", signal: "no such signal"), shuttingDown: false) == .terminate(id: "j", signal: SIGTERM))
        #expect(pool == before, "none of these changes the settings themselves")
    }
}
