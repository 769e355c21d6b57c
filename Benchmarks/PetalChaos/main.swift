import Foundation
import Petal
import PetalRedis
import PetalSystem

// `make chaos`: 20,000 jobs over two `petal worker`s while children and whole workers are killed
// with SIGKILL every 2 to 4 s and Redis (append-only) is stopped once for 5 to 10 s. Then it waits
// for every job to end and says where each one ended. Exit 1 on any lost, stuck or doubly
// completed job; 2 when the run could not be set up.

let usage = """
    usage: petal-chaos [--petal PATH] [--jobs N]
      --petal PATH   the petal executable (default .build/release/petal)
      --jobs N       jobs to submit (default 20000)
    Starts its own redis-server on a free port and stops everything it started.
    """

var petalPath = ".build/release/petal"
var jobCount = 20_000
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--help", "-h":
        print(usage)
        exit(0)
    case "--petal":
        guard let value = arguments.popFirst() else { print(usage); exit(64) }
        petalPath = value
    case "--jobs":
        guard let value = arguments.popFirst(), let number = Int(value), number > 0, number <= 1_000_000 else {
            print("--jobs takes a whole number from 1 to 1000000\n\(usage)")
            exit(64)
        }
        jobCount = number
    default:
        print("unknown argument \(argument)\n\(usage)")
        exit(64)
    }
}
guard FileManager.default.isExecutableFile(atPath: petalPath) else {
    print("no petal executable at \(petalPath) (run `swift build -c release --product petal`)")
    exit(2)
}
guard FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else {
    print("redis-server is not installed (apt-get install redis-server)")
    exit(2)
}

fflush(nil)
let code = await ChaosRun(petal: petalPath, jobs: jobCount).run()
exit(code)
