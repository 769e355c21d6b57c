import Foundation
import Petal
import PetalRedis

/// What Redis spends on the bench's work: CPU time (`INFO cpu`), the same split by command
/// (`INFO commandstats`: commands a function runs are counted under their own names), and memory
/// (`INFO memory`'s used_memory).
struct RedisCost {
    let redis: RedisClient

    struct Snapshot {
        var cpuSeconds: Double
        /// Microseconds spent per command name, and calls.
        var commands: [String: (calls: Int, micros: Double)]
    }

    func snapshot() async throws -> Snapshot {
        let cpu = try await info("cpu")
        let stats = try await info("commandstats")
        var commands: [String: (calls: Int, micros: Double)] = [:]
        // cmdstat_zadd:calls=123,usec=456,usec_per_call=3.7,...
        for (key, value) in stats where key.hasPrefix("cmdstat_") {
            var calls = 0, micros = 0.0
            for part in value.split(separator: ",") {
                let pair = part.split(separator: "=")
                guard pair.count == 2 else { continue }
                if pair[0] == "calls" { calls = Int(pair[1]) ?? 0 }
                if pair[0] == "usec" { micros = Double(pair[1]) ?? 0 }
            }
            commands[String(key.dropFirst("cmdstat_".count))] = (calls, micros)
        }
        return Snapshot(cpuSeconds: (Double(cpu["used_cpu_sys"] ?? "") ?? 0) + (Double(cpu["used_cpu_user"] ?? "") ?? 0),
                        commands: commands)
    }

    /// "fcall 41.2, zadd 9.8, ..." µs per job for the costliest commands between two snapshots
    /// (fcall includes the commands its function ran, listed after it).
    static func breakdown(from before: Snapshot, to after: Snapshot, jobs: Int, top: Int = 12) -> String {
        let spent = after.commands.compactMap { name, now -> (String, Double, Double)? in
            let then = before.commands[name] ?? (0, 0)
            let micros = now.micros - then.micros
            return micros > 0 ? (name, micros / Double(jobs), Double(now.calls - then.calls) / Double(jobs)) : nil
        }.sorted { $0.1 > $1.1 }.prefix(top)
        return spent.map { String(format: "%@ %.1f µs (%.2f calls)", $0.0, $0.1, $0.2) }.joined(separator: ", ")
    }

    func usedMemory() async throws -> Int {
        Int(try await info("memory")["used_memory"] ?? "") ?? 0
    }

    private func info(_ section: String) async throws -> [String: String] {
        let text = try await redis.command("INFO", section).string ?? ""
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }
}
