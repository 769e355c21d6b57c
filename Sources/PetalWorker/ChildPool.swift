import Foundation
import Logging
import Petal
import PetalSystem

/// The worker's child processes: starting them towards a size, stopping and killing them, reading
/// their begin/end notices, enforcing hard time limits, and reaping the ones that ended.
///
/// It owns the children; the supervisor asks it and settles in Redis what it reports (the
/// `ChildLostCall`s of reaped children). Nothing here talks to Redis.
struct ChildPool {
    private var children: [Int32: ChildHandle] = [:]
    private let workerName: String
    private let terminateGrace: Double
    private let logger: Logger
    /// Spawning is held back for a second after a failure, or after children die right at start
    /// again and again (a broken build must not spin the loop).
    private var nextSpawnAllowed = 0.0
    private var recentQuickExits = 0
    /// Last time every working child had a job (autoscale shrinks only after some idle seconds).
    private(set) var lastFullyBusy = Clock.now()

    /// Children started per turn of the loop (a turn is at least 10 ms, so ~400 a second at most).
    static let spawnsPerTurn = 4

    init(workerName: String, terminateGrace: Double, logger: Logger) {
        self.workerName = workerName
        self.terminateGrace = terminateGrace
        self.logger = logger
    }

    var isEmpty: Bool { children.isEmpty }
    var count: Int { children.count }
    var pids: [Int32] { children.keys.sorted() }

    /// Children that will take more jobs (not told to stop, not being killed).
    var working: [ChildHandle] {
        children.values.filter { !$0.stopRequested && $0.killReason == nil }
    }

    /// The jobs running now, oldest first, for the heartbeat.
    var activeJobs: [WorkerHeartbeat.ActiveJob] {
        children.values.compactMap { child in
            child.job.map { WorkerHeartbeat.ActiveJob(id: $0.id, task: $0.task, pid: Int(child.pid), started: $0.started) }
        }.sorted { $0.started < $1.started }
    }

    /// The descriptors to poll for notices.
    var noticeDescriptors: [Int32] { children.values.map(\.noticeDescriptor) }

    /// The child running job `id`, if any.
    func pid(running id: String) -> Int32? {
        children.values.first { $0.job?.id == id }?.pid
    }

    // MARK: - Size

    /// Starts children (a few per turn) until `target` work, or asks the surplus to stop, idle
    /// ones first. `spawn` starts one process.
    mutating func resize(to target: Int, spawn: () throws -> ChildHandle) {
        let working = self.working
        if working.count < target {
            let now = Clock.now()
            guard now >= nextSpawnAllowed else { return }
            // A few per turn: spawning hundreds at once held the loop (and the heartbeat) for seconds.
            for _ in working.count..<min(target, working.count + Self.spawnsPerTurn) {
                do {
                    let child = try spawn()
                    children[child.pid] = child
                    logger.debug("child \(child.pid) started")
                } catch {
                    logger.error("cannot start a child: \(error)")
                    nextSpawnAllowed = now + 1
                    return
                }
            }
        } else if working.count > target {
            let surplus = working.sorted { !$0.isBusy && $1.isBusy }.prefix(working.count - target)
            for child in surplus { requestStop(child.pid) }
        }
    }

    // MARK: - Commands to children

    /// Asks a child to exit after its current job (warm).
    mutating func requestStop(_ pid: Int32) {
        guard var child = children[pid], !child.stopRequested else { return }
        child.stopRequested = true
        child.send("stop")
        children[pid] = child
    }

    mutating func requestStopAll() {
        for pid in children.keys { requestStop(pid) }
    }

    /// Kills a child on purpose. Its job ends with `reason` (mode `fail`), goes back to its queue
    /// (`requeue`), or ends REVOKED when a terminate was asked for. SIGKILL follows after the grace.
    mutating func kill(_ pid: Int32, reason: String, signal: Int32, mode: ChildLostCall.Mode = .fail) {
        guard var child = children[pid] else { return }
        child.killReason = ChildHandle.KillReason(reason: reason, mode: mode)
        child.killDeadline = Clock.now() + terminateGrace
        children[pid] = child
        child.process.signal(signal)
    }

    mutating func killAll(reason: String, mode: ChildLostCall.Mode) {
        for pid in children.keys { kill(pid, reason: reason, signal: SIGKILL, mode: mode) }
    }

    /// Sends a command line to every child ("queues a,b").
    func broadcast(_ line: String) {
        for child in children.values { child.send(line) }
    }

    // MARK: - Each turn

    /// Reads the children's begin/end notices; returns the jobs each child began, by pid.
    mutating func takeNotices(at now: Double) -> [(pid: Int32, begun: [String])] {
        var begun: [(pid: Int32, begun: [String])] = []
        for pid in Array(children.keys) {
            guard var child = children[pid] else { continue }
            let ids = child.takeNotices(at: now)
            children[pid] = child
            if !ids.isEmpty { begun.append((pid, ids)) }
        }
        if working.allSatisfy(\.isBusy) { lastFullyBusy = now }
        return begun
    }

    /// Reaps children that ended; returns what Redis must settle for each (a crash fails only the
    /// crashed child's job; a clean exit gives back the jobs it took and did not run).
    mutating func reapExited(at now: Double) -> [ChildLostCall] {
        var losses: [ChildLostCall] = []
        for (pid, exited) in children {
            guard let termination = exited.process.poll() else { continue }
            var child = exited
            _ = child.takeNotices(at: now)  // a job it began just before it ended
            child.closeDescriptors()
            children[pid] = nil
            if termination == .exited(0) && child.job == nil && child.killReason == nil {
                logger.debug("child \(pid) exited")
                // A child told to stop gives its prefetched jobs back itself; this covers one that
                // could not reach Redis then.
                losses.append(ChildLostCall(worker: workerName, pid: String(pid), reason: "child process \(pid) exited", mode: .requeue))
                continue
            }
            var reason = "WorkerLostError: child process \(pid) \(termination)"
            var mode = ChildLostCall.Mode.fail
            if let kill = child.killReason {
                (reason, mode) = (kill.reason, kill.mode)
            } else if let job = child.job {
                reason += " while running \(job.task) [\(job.id)]"
                logger.error("child \(pid) \(termination) while running \(job.task) [\(job.id)]; the job fails, a new child takes its place")
            } else {
                logger.warning("child \(pid) \(termination)")
            }
            if now - child.spawnedAt < 1 && child.job == nil {
                recentQuickExits += 1
                if recentQuickExits >= 3 { nextSpawnAllowed = now + 1 }
            } else {
                recentQuickExits = 0
            }
            losses.append(ChildLostCall(worker: workerName, pid: String(pid), reason: reason, mode: mode, running: child.job?.id))
        }
        return losses
    }

    /// Hard time limits, and SIGKILL once a kill's grace is over.
    mutating func enforceTimeLimits(at now: Double) {
        for (pid, child) in children {
            if let deadline = child.killDeadline, now >= deadline {
                child.process.signal(SIGKILL)
                continue
            }
            if child.killReason == nil, let job = child.job, let deadline = job.hardDeadline, now >= deadline {
                logger.warning("hard time limit (\(job.hardLimit)s) exceeded by \(job.task) [\(job.id)]: killing child \(pid)")
                kill(pid, reason: "TimeLimitExceeded: hard time limit (\(SoftTimeLimitExceeded.seconds(job.hardLimit))) exceeded; the child process was killed",
                     signal: SIGKILL)
            }
        }
    }
}
