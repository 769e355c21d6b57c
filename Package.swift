// swift-tools-version:6.0
import PackageDescription

// Petal: a job system on Redis. Each module is one concern; see docs/ARCHITECTURE.md.
let package = Package(
    name: "Petal",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "petal", targets: ["PetalCLI"]),
        .library(name: "Petal", targets: ["Petal"]),
        .library(name: "PetalWorker", targets: ["PetalWorker"]),
        .library(name: "PetalRedis", targets: ["PetalRedis"]),
        .executable(name: "petal-bench", targets: ["PetalBench"]),
        .executable(name: "greeter", targets: ["GreeterApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // C: hiredis from Debian's libhiredis-dev, and a few POSIX helpers Swift cannot express.
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        .target(name: "CPetalSystem", path: "Sources/CPetalSystem"),
        // Spawning and reaping processes, pipes, signals: POSIX plumbing shared by the worker, runner and tests.
        .target(name: "PetalSystem", dependencies: ["CPetalSystem"]),

        // The Redis client: connections on their own threads, pool, scripts, pub/sub. Knows nothing of jobs.
        .target(name: "PetalRedis", dependencies: ["CHiredis", .product(name: "Logging", package: "swift-log")]),
        // The job protocol and the client API web apps call.
        .target(name: "Petal", dependencies: ["PetalRedis", .product(name: "Logging", package: "swift-log")]),
        // The prefork worker: supervisor, children, heartbeat, scheduler, reaper, control.
        .target(name: "PetalWorker", dependencies: ["Petal", "PetalRedis", "PetalSystem",
                                                    .product(name: "Logging", package: "swift-log")]),
        // The Procfile runner (`petal start`): formation, output, signals, control socket.
        .target(name: "PetalRunner", dependencies: ["PetalSystem"]),
        // `petal`: thin commands over the libraries.
        .executableTarget(name: "PetalCLI", dependencies: [
            "Petal", "PetalWorker", "PetalRunner",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The example app: its tasks and its web pages as a library, and the `greeter` executable.
        .target(name: "Greeter", dependencies: [
            "Petal", "PetalWorker",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "GreeterApp", dependencies: [
            "Greeter", "Petal", "PetalWorker",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // `make bench`: throughput and latency on a release build, against its own redis-server.
        .executableTarget(name: "PetalBench", dependencies: ["Petal", "PetalRedis", "PetalSystem"], path: "Benchmarks/PetalBench"),

        // Tests run against a real redis-server the support target starts on a free port.
        .target(name: "PetalTestSupport", dependencies: ["Petal", "PetalRedis", "PetalSystem", "CLibXML2"], path: "Tests/PetalTestSupport"),
        .testTarget(name: "PetalRedisTests", dependencies: ["PetalRedis", "PetalTestSupport"]),
        .testTarget(name: "PetalTests", dependencies: ["Petal", "PetalTestSupport"]),
        .testTarget(name: "PetalWorkerTests", dependencies: ["Petal", "PetalWorker", "PetalTestSupport"]),
        .testTarget(name: "GreeterTests", dependencies: ["Greeter", "Petal", "PetalRedis", "PetalTestSupport",
                                                         .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "PetalRunnerTests", dependencies: ["PetalRunner", "PetalSystem", "PetalTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
