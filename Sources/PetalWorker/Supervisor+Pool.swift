import Foundation
import Petal
import PetalRedis
import PetalSystem

/// The pool each turn: its size, what its children began and left, and the deadlines.
extension Supervisor {
    /// Grows the pool towards the target size, or asks the surplus to stop.
    func adjustPool() {
        guard phase == .running else { return }
        var current = configuration
        current.queues = settings.queues
        pool.resize(to: settings.targetSize) { try spawner.spawn(current) }
    }

    /// The children's begin/end notices; a job revoked with terminate while it waited in a child's
    /// prefetched jobs is killed as the child begins it.
    func handleNotices() {
        for (pid, begun) in pool.takeNotices(at: Clock.now()) {
            for id in begun {
                if let pending = pendingTerminations.removeValue(forKey: id) {
                    pool.kill(pid, reason: "Terminated: revoked while running", signal: pending.signal)
                }
            }
        }
    }

    /// Reaps children that ended and settles their jobs.
    func reapChildren() {
        pendingLosses += pool.reapExited(at: Clock.now())
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
        pool.enforceTimeLimits(at: now)
        if case .draining(let deadline) = phase, now >= deadline {
            logger.warning("shutdown timeout: killing \(pool.count) child(ren), their jobs go back to their queues")
            phase = .stopping
            pool.killAll(reason: "WorkerShutdown: shutdown timeout", mode: .requeue)
        }
    }
}
