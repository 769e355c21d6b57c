import Foundation
import Petal
import PetalRedis
import PetalSystem

/// Spawning, stopping and reaping the children.
extension Supervisor {
    /// Children that will take more jobs (not told to stop, not being killed).
    var workingChildren: [ChildHandle] {
        children.values.filter { !$0.stopRequested && $0.killReason == nil }
    }

    /// Children started per turn of the loop (a turn is at least 10 ms, so ~400 a second at most).
    static let spawnsPerTurn = 4

    /// Grows the pool to the target size, or asks the surplus to stop (idle ones first).
    func adjustPool() {
        guard phase == .running else { return }
        let working = workingChildren
        if working.count < targetSize {
            let now = Clock.now()
            guard now >= nextSpawnAllowed else { return }
            // A few per turn: spawning hundreds at once held the loop (and the heartbeat) for seconds.
            for _ in working.count..<min(targetSize, working.count + Self.spawnsPerTurn) {
                do {
                    try spawnChild()
                } catch {
                    logger.error("cannot start a child: \(error)")
                    nextSpawnAllowed = now + 1
                    return
                }
            }
        } else if working.count > targetSize {
            let surplus = working.sorted { !$0.isBusy && $1.isBusy }.prefix(working.count - targetSize)
            for child in surplus { requestStop(child.pid) }
        }
    }

    /// Starts this same executable with the same arguments in child mode.
    func spawnChild() throws {
        let commands = try PipeDescriptors()
        let notices = try PipeDescriptors().nonBlockingRead()
        // The configuration (Redis password included) goes through a pipe, not the environment or
        // argv, which others can read in /proc; the child's argv has the password masked.
        let settings = try PipeDescriptors()
        defer { close(settings.read) }
        try writeWhole(Array(try configurationForChildren().utf8), to: settings.write)
        close(settings.write)
        var environment = ProcessInfo.processInfo.environment
        environment[Worker.childEnvironmentKey] = "fd:\(Worker.childConfigurationDescriptor)"
        let process = try ChildProcess.spawn(executable: SystemStats.executablePath(),
                                             arguments: CommandLine.arguments.dropFirst().map(PasswordMasking.masked),
                                             environment: environment,
                                             descriptors: [0: commands.read, 3: notices.write, Worker.childConfigurationDescriptor: settings.read],
                                             // A group of its own: Ctrl-C or a runner's SIGTERM to the worker's group
                                             // reaches the supervisor alone, which then shuts the pool down warm.
                                             newProcessGroup: true)
        close(commands.read)
        close(notices.write)
        let child = ChildHandle(process: process, commandDescriptor: commands.write, noticeDescriptor: notices.read,
                                spawnedAt: Clock.now())
        if queues != configuration.queues { child.send("queues \(queues.joined(separator: ","))") }
        children[process.pid] = child
        logger.debug("child \(process.pid) started")
    }

    /// The configuration is a few hundred bytes, far below a pipe's buffer, so this never blocks.
    private func writeWhole(_ bytes: [UInt8], to descriptor: Int32) throws {
        guard bytes.count < 60_000 else { throw SystemError("the worker configuration is too large to hand to a child") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw SystemError("cannot hand the configuration to a child: \(String(cString: strerror(errno)))") }
            written += count
        }
    }

    private func configurationForChildren() throws -> String {
        var current = configuration
        current.queues = queues
        return String(decoding: try JSONEncoder().encode(current), as: UTF8.self)
    }

    /// Asks a child to exit after its current job (warm).
    func requestStop(_ pid: Int32) {
        guard var child = children[pid], !child.stopRequested else { return }
        child.stopRequested = true
        child.send("stop")
        children[pid] = child
    }

    /// Kills a child on purpose. Its job ends with `reason` (FAILURE), goes back to its queue
    /// (`requeue`), or ends REVOKED when a terminate was asked for. SIGKILL follows after the grace.
    func killChild(_ pid: Int32, reason: String, signal: Int32, requeue: Bool = false) {
        guard var child = children[pid] else { return }
        child.killReason = ChildHandle.KillReason(reason: reason, mode: requeue ? .requeue : .fail)
        child.killDeadline = Clock.now() + configuration.terminateGrace
        children[pid] = child
        child.process.signal(signal)
    }

    /// Reaps children that ended and settles their jobs; a crash fails only the crashed child's job.
    func reapChildren() {
        let now = Clock.now()
        for (pid, child) in children {
            guard let termination = child.process.poll() else { continue }
            child.closeDescriptors()
            children[pid] = nil
            let clean = termination == .exited(0) && child.job == nil && child.killReason == nil
            if clean {
                logger.debug("child \(pid) exited")
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
            // A child that dies right after it starts, again and again, must not spin the loop.
            if now - child.spawnedAt < 1 && child.job == nil {
                recentQuickExits += 1
                if recentQuickExits >= 3 { nextSpawnAllowed = now + 1 }
            } else {
                recentQuickExits = 0
            }
            pendingLosses.append(ChildLostCall(worker: configuration.name, pid: String(pid), reason: reason, mode: mode))
        }
        settleLosses()
    }

    /// Runs child_lost for each lost child; what fails (Redis down) is retried on later turns.
    func settleLosses() {
        var remaining: [ChildLostCall] = []
        for loss in pendingLosses {
            withRedis("settling child \(loss.pid)") { () throws(RedisError) in
                do throws(RedisError) {
                    let ids = try connection.call(loss, keys: keys)
                    if !ids.isEmpty {
                        logger.info("child \(loss.pid): \(ids.count) job(s) \(loss.mode == .requeue ? "re-queued" : "settled"): \(loss.reason)")
                    }
                } catch {
                    remaining.append(loss)
                    throw error
                }
            }
        }
        pendingLosses = remaining
    }

    /// Hard time limits, SIGKILL after a terminate's grace, and the end of a warm shutdown.
    func enforceDeadlines() {
        let now = Clock.now()
        for (pid, child) in children {
            if let deadline = child.killDeadline, now >= deadline {
                child.process.signal(SIGKILL)
                continue
            }
            if child.killReason == nil, let job = child.job, let deadline = job.hardDeadline, now >= deadline {
                logger.warning("hard time limit (\(job.hardLimit)s) exceeded by \(job.task) [\(job.id)]: killing child \(pid)")
                killChild(pid, reason: "TimeLimitExceeded: hard time limit (\(SoftTimeLimitExceeded.seconds(job.hardLimit))) exceeded; the child process was killed",
                     signal: SIGKILL)
            }
        }
        if case .draining(let deadline) = phase, now >= deadline {
            logger.warning("shutdown timeout: killing \(children.count) child(ren), their jobs go back to their queues")
            phase = .stopping
            for pid in children.keys { killChild(pid, reason: "WorkerShutdown: shutdown timeout", signal: SIGKILL, requeue: true) }
        }
    }
}
