import Foundation
import Petal
import PetalSystem

/// The supervisor's view of one child process.
struct ChildHandle {
    struct RunningJob {
        let id: String
        let task: String
        let started: Double
        /// When the hard time limit kills the child (nil: no limit).
        let hardDeadline: Double?
        let hardLimit: Double
    }

    let process: ChildProcess
    /// Our end of the child's stdin: "stop" and "queues" commands.
    let commandDescriptor: Int32
    /// Our end of the child's fd 3: "begin" and "end" notices.
    let noticeDescriptor: Int32
    let spawnedAt: Double
    var noticeBuffer: [UInt8] = []
    var job: RunningJob?
    /// Told to exit after its current job.
    var stopRequested = false
    /// Why a child is being killed on purpose: the job's error, and whether its job fails or goes
    /// back to its queue.
    struct KillReason {
        let reason: String
        let mode: ChildLostCall.Mode
    }

    /// Being killed on purpose: why, and when SIGKILL follows.
    var killReason: KillReason?
    var killDeadline: Double?

    var pid: Int32 { process.pid }
    var isBusy: Bool { job != nil }

    func send(_ line: String) {
        _ = writeAll(commandDescriptor, Array((line + "\n").utf8))
    }

    func closeDescriptors() {
        close(commandDescriptor)
        close(noticeDescriptor)
    }

    /// Reads what the child wrote; returns complete lines.
    mutating func readNotices() -> [String] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(noticeDescriptor, &chunk, chunk.count)
            if count <= 0 { break }
            noticeBuffer.append(contentsOf: chunk[0..<count])
        }
        var lines: [String] = []
        while let newline = noticeBuffer.firstIndex(of: 10) {
            lines.append(String(decoding: noticeBuffer[..<newline], as: UTF8.self))
            noticeBuffer.removeSubrange(...newline)
        }
        return lines
    }
}
