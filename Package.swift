// swift-tools-version:6.1
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
        .executable(name: "petal-chaos", targets: ["PetalChaos"]),
        .executable(name: "greeter", targets: ["GreeterApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Tests only: property and fuzz tests of every parser of outside input.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The greeter's /ws endpoint. (Tests and the bench use their own client: PetalTestSupport's WebSocketWire.)
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        // C: hiredis from Debian's libhiredis-dev, and a few POSIX helpers Swift cannot express.
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        // OpenSSL 3 from Debian's libssl-dev: Redis over TLS (see docs/ARCHITECTURE.md for why not NIOSSL).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CPetalSystem", path: "Sources/CPetalSystem"),
        // Spawning and reaping processes, pipes, signals: POSIX plumbing shared by the worker, runner and tests.
        .target(name: "PetalSystem", dependencies: ["CPetalSystem"]),

        // The Redis client: connections on their own threads, pool, scripts, pub/sub. Knows nothing of jobs.
        .target(name: "PetalRedis", dependencies: ["CHiredis", "COpenSSL", .product(name: "Logging", package: "swift-log")]),
        // The job protocol and the client API web apps call. Its Redis function library is the
        // .lua files in Sources/Petal/Lua, embedded at build time by the EmbedLua plugin.
        .target(name: "Petal", dependencies: ["PetalRedis", .product(name: "Logging", package: "swift-log")],
                exclude: ["Lua"], plugins: ["EmbedLua"]),
        .plugin(name: "EmbedLua", capability: .buildTool(), dependencies: ["PetalLuaEmbedder"]),
        .executableTarget(name: "PetalLuaEmbedder"),
        // The prefork worker: supervisor, children, heartbeat, scheduler, reaper, control.
        .target(name: "PetalWorker", dependencies: ["Petal", "PetalRedis", "PetalSystem",
                                                    .product(name: "Logging", package: "swift-log")]),
        // The Procfile runner (`petal start`): formation, output, signals, control socket.
        .target(name: "PetalRunner", dependencies: ["PetalSettings", "PetalSystem"]),
        // Every setting read from environment variables, with its default, in one type.
        .target(name: "PetalSettings"),
        // What the web apps share: security headers, errors as pages or JSON, HTML responses, form bodies.
        .target(name: "PetalWeb", dependencies: [
            "Petal", "PetalRedis",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // `petal monitor`: the Flower-style admin app and Flower-compatible API, read through PetalClient.
        .target(name: "PetalMonitor", dependencies: [
            "Petal", "PetalRedis", "PetalWeb", "PetalRunner",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // What `petal` and `greeter` commands share: --redis (with TLS, Sentinel and durability)/--prefix, worker options, logging set-up.
        .target(name: "PetalCommandLine", dependencies: [
            "Petal", "PetalRedis", "PetalSettings", "PetalWorker",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `petal`: thin commands over the libraries.
        .executableTarget(name: "PetalCLI", dependencies: [
            "Petal", "PetalCommandLine", "PetalRedis", "PetalSettings", "PetalSystem", "PetalWorker", "PetalRunner", "PetalMonitor", "PetalWeb",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The example app: its tasks and its web pages as a library, and the `greeter` executable.
        .target(name: "Greeter", dependencies: [
            "Petal", "PetalRedis", "PetalWorker", "PetalWeb",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "GreeterApp", dependencies: [
            "Greeter", "Petal", "PetalCommandLine", "PetalRedis", "PetalSettings", "PetalWorker", "PetalWeb",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // `make bench`: throughput and latency on a release build, against its own redis-server.
        .executableTarget(name: "PetalBench", dependencies: ["Petal", "PetalRedis", "PetalSystem", "PetalHarness"],
                         path: "Benchmarks/PetalBench"),
        // `make chaos`: 20,000 jobs while workers and children are killed and Redis restarts; lost, stuck, run twice.
        .executableTarget(name: "PetalChaos", dependencies: ["Petal", "PetalRedis", "PetalSystem"], path: "Benchmarks/PetalChaos"),

        // What tests and the bench share: a redis-server of their own on a free port, loopback HTTP and WebSocket clients.
        .target(name: "PetalHarness", dependencies: ["PetalRedis", "PetalSystem"], path: "Tests/PetalHarness"),
        // Tests run against a real redis-server the harness starts on a free port. A test target (the
        // others depend on it), so `swift build -c release` leaves it and swift-property-based out:
        // SwiftPM builds every non-test target of the package (swift-package-manager#4967).
        .testTarget(name: "PetalTestSupport", dependencies: ["Petal", "PetalRedis", "PetalSystem", "PetalRunner", "PetalHarness", "CLibXML2",
                                                  .product(name: "PropertyBased", package: "swift-property-based")],
                path: "Tests/PetalTestSupport"),
        .testTarget(name: "PetalRedisTests", dependencies: [.product(name: "PropertyBased", package: "swift-property-based"), "PetalRedis", "PetalTestSupport"]),
        .testTarget(name: "PetalTests", dependencies: [.product(name: "PropertyBased", package: "swift-property-based"), "Petal", "PetalRedis", "PetalTestSupport"]),
        .testTarget(name: "PetalWorkerTests", dependencies: ["Petal", "PetalWorker", "PetalRedis", "PetalSystem", "PetalTestSupport"]),
        .testTarget(name: "GreeterTests", dependencies: [.product(name: "PropertyBased", package: "swift-property-based"), "Greeter", "Petal", "PetalRedis", "PetalSystem", "PetalTestSupport", "PetalWeb",
                                                         .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "PetalMonitorTests", dependencies: [.product(name: "PropertyBased", package: "swift-property-based"), "PetalMonitor", "Petal", "PetalRedis", "PetalRunner", "PetalTestSupport", "PetalWeb",
                                                              .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "PetalWebTests", dependencies: ["PetalWeb", "Petal", "PetalRedis", "PetalTestSupport", .product(name: "Mustache", package: "swift-mustache"),
                                                         .product(name: "Hummingbird", package: "hummingbird"),
                                                         .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "PetalBenchTests", dependencies: ["PetalBench"]),
        .testTarget(name: "PetalRunnerTests", dependencies: [.product(name: "PropertyBased", package: "swift-property-based"), "PetalRunner", "PetalSystem", "PetalTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
