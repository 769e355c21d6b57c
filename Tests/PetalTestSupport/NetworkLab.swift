import Foundation
import PetalSystem
import Synchronization

/// Hosts on one machine: network namespaces joined by veth links (iproute2's `ip netns`, as root).
/// A hub namespace (Redis's) is linked to each host namespace by a veth pair of its own, on a
/// /24 of its own, so one link can be cut (`cut`) and mended (`mend`) while the others carry on.
/// Everything is named after this process and removed by name when the lab goes, whatever the
/// test's outcome (deleting a namespace deletes its veth ends).
public final class NetworkLab: Sendable {
    public static let ipTool = ["/usr/sbin/ip", "/sbin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "ip"

    /// Whether `ip netns add` works here (root and iproute2): the partition test skips, saying so, when not.
    public static let isAvailable: Bool = {
        let probe = "petal-probe-\(getpid())"
        guard (try? run(["netns", "add", probe])) != nil else { return false }
        _ = try? run(["netns", "del", probe])
        return true
    }()

    public let hub: String
    public let hosts: [String]
    private let created = Mutex<[String]>([])

    /// Hub `petal-<pid>-hub` and hosts `petal-<pid>-<name>`; link i is 10.213.<i+1>.0/24, the hub
    /// at .1 and the host at .2.
    public init(hosts names: [String]) throws {
        let tag = "petal-\(getpid())"
        hub = "\(tag)-hub"
        hosts = names.map { "\(tag)-\($0)" }
        do {
            try add(hub)
            try Self.run(["-n", hub, "link", "set", "lo", "up"])
            for (index, host) in hosts.enumerated() {
                try add(host)
                try Self.run(["-n", host, "link", "set", "lo", "up"])
                let (hubEnd, hostEnd) = Self.linkNames(index)
                try Self.run(["link", "add", hubEnd, "netns", hub, "type", "veth", "peer", "name", hostEnd, "netns", host])
                try Self.run(["-n", hub, "addr", "add", "\(hubAddress(index))/24", "dev", hubEnd])
                try Self.run(["-n", host, "addr", "add", "\(hostAddress(index))/24", "dev", hostEnd])
                try Self.run(["-n", hub, "link", "set", hubEnd, "up"])
                try Self.run(["-n", host, "link", "set", hostEnd, "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// The hub's address on host i's link (where host i reaches Redis).
    public func hubAddress(_ index: Int) -> String { "10.213.\(index + 1).1" }
    public func hostAddress(_ index: Int) -> String { "10.213.\(index + 1).2" }

    /// `ip netns exec <namespace>`: put in front of a command to run it on that host.
    public func launcher(_ namespace: String) -> [String] { [Self.ipTool, "netns", "exec", namespace] }

    /// Takes host i's link down at both ends: packets are dropped, nothing is reset, as when a cable is pulled.
    public func cut(_ index: Int) throws {
        let (hubEnd, hostEnd) = Self.linkNames(index)
        try Self.run(["-n", hosts[index], "link", "set", hostEnd, "down"])
        try Self.run(["-n", hub, "link", "set", hubEnd, "down"])
    }

    public func mend(_ index: Int) throws {
        let (hubEnd, hostEnd) = Self.linkNames(index)
        try Self.run(["-n", hub, "link", "set", hubEnd, "up"])
        try Self.run(["-n", hosts[index], "link", "set", hostEnd, "up"])
    }

    /// Deletes the namespaces this lab made (and so their veth ends), by name.
    public func remove() {
        for namespace in created.withLock({ $0 }).reversed() { _ = try? Self.run(["netns", "del", namespace]) }
        created.withLock { $0.removeAll() }
    }

    deinit { remove() }

    private func add(_ namespace: String) throws {
        _ = try? Self.run(["netns", "del", namespace])  // a leftover of a crashed run of this pid
        try Self.run(["netns", "add", namespace])
        created.withLock { $0.append(namespace) }
    }

    /// Interface names (at most 15 characters): `p<pid>h<i>` at the hub, `p<pid>x<i>` on the host.
    private static func linkNames(_ index: Int) -> (String, String) {
        let tag = "p\(getpid() % 1_000_000)"
        return ("\(tag)h\(index)", "\(tag)x\(index)")
    }

    /// Runs `ip` with `arguments`, waiting for it by pid; throws its output when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("petal-ip-\(getpid())-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let output = open(log, O_WRONLY)
        defer { close(output) }
        let process = try ChildProcess.spawn(executable: ipTool, arguments: arguments, environment: ProcessInfo.processInfo.environment,
                                             descriptors: [1: output, 2: output])
        let text = { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        guard process.wait(upTo: 30) == .exited(0) else { throw TestSupportError("ip \(arguments.joined(separator: " ")): \(text())") }
        return text()
    }
}
