/// How many instances of each process type run, their names and ports.
public struct Formation: Sendable, Equatable {
    public private(set) var counts: [String: Int]
    public let order: [String]
    /// Names in the spec that are not in the Procfile: ignored, as honcho ignores them.
    public let unknownNames: [String]
    /// The order ports are given in: the types named on the command line first, in that order
    /// (honcho counts only those), then the rest of the Procfile.
    private var portOrder: [String]

    /// `spec` like "all=0,worker=2": `all` sets the default (1 without it, as foreman's `all`).
    public init(procfile: Procfile, spec: String?, portOrder first: [String] = []) throws(RunnerError) {
        order = procfile.entries.map(\.name)
        portOrder = first + order.filter { !first.contains($0) }
        var defaultCount = 1
        var explicit: [String: Int] = [:]
        var unknown: [String] = []
        for part in (spec ?? "").split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard pair.count == 2, let count = Int(pair[1]), count >= 0, count <= 100 else {
                throw .invalidFormation("'\(part)' should be name=count with a count from 0 to 100")
            }
            if pair[0] == "all" { defaultCount = count; continue }
            guard order.contains(pair[0]) else { unknown.append(pair[0]); continue }
            explicit[pair[0]] = count
        }
        var counts: [String: Int] = [:]
        for name in order { counts[name] = explicit[name] ?? defaultCount }
        self.counts = counts
        unknownNames = unknown
    }

    public func count(of name: String) -> Int { counts[name] ?? 0 }

    public mutating func set(_ name: String, to count: Int) throws(RunnerError) {
        guard order.contains(name) else { throw .unknownProcess(name) }
        guard (0...100).contains(count) else { throw .invalidFormation("\(name)=\(count): count must be 0 to 100") }
        counts[name] = count
    }

    /// honcho's and foreman's rule: base + 100 × the type's position + (instance − 1).
    public func port(base: Int, name: String, instance: Int) -> Int {
        base + 100 * (portOrder.firstIndex(of: name) ?? 0) + (instance - 1)
    }
}
