import CPetalSystem
import Glibc

/// For a program that owns a whole process tree and kills parts of it with SIGKILL (the chaos run):
/// orphans of a killed process come to this one, which must then reap every child with
/// `waitpid(-1)`. Not for programs that also wait by pid through `ChildProcess` from another thread.
public enum Subreaper {
    /// True when orphaned descendants now come to this process.
    @discardableResult
    public static func become() -> Bool { petal_become_subreaper() == 0 }

    /// Reaps every child that has ended, without blocking: pid and how it ended.
    public static func reapEnded() -> [(pid: Int32, termination: Termination)] {
        var ended: [(Int32, Termination)] = []
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return ended }
            ended.append((pid, Termination(waitStatus: status)))
        }
    }
}
