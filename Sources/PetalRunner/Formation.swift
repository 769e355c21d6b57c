/// How many instances of each process type run, their names and ports (as foreman does).
public struct Formation: Sendable, Equatable {
    public private(set) var counts: [String: Int]
    public let order: [String]

    /// `spec` like "all=0,worker=2": `all` sets the default (1 without it); other names must exist.
    public init(procfile: Procfile, spec: String?) throws(RunnerError) {
        order = procfile.entries.map(\.name)
        var defaultCount = 1
        var explicit: [String: Int] = [:]
        for part in (spec ?? "").split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard pair.count == 2, let count = Int(pair[1]), count >= 0, count <= 100 else {
                throw .invalidFormation("'\(part)' should be name=count with a count from 0 to 100")
            }
            if pair[0] == "all" { defaultCount = count; continue }
            guard order.contains(pair[0]) else { throw .unknownProcess(pair[0]) }
            explicit[pair[0]] = count
        }
        var counts: [String: Int] = [:]
        for name in order { counts[name] = explicit[name] ?? defaultCount }
        self.counts = counts
    }

    public func count(of name: String) -> Int { counts[name] ?? 0 }

    public mutating func set(_ name: String, to count: Int) throws(RunnerError) {
        guard order.contains(name) else { throw .unknownProcess(name) }
        guard (0...100).contains(count) else { throw .invalidFormation("\(name)=\(count): count must be 0 to 100") }
        counts[name] = count
    }

    /// foreman's rule: base + 100 × the type's position in the Procfile + (instance − 1).
    public func port(base: Int, name: String, instance: Int) -> Int {
        base + 100 * (order.firstIndex(of: name) ?? 0) + (instance - 1)
    }
}
