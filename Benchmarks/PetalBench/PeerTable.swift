import Foundation

/// The peers section's table: a row per figure, grouped as the issue asks (end to end, enqueue one
/// at a time, bulk enqueue), each peer's rate beside Petal's with the ratio Petal ÷ peer.
struct PeerTable {
    enum Group: CaseIterable {
        case drain, single, bulk

        var title: String {
            switch self {
            case .drain: "end to end: N jobs queued first, clock from worker start until the N-th has run"
            case .single: "enqueue, one at a time"
            case .bulk: "enqueue, bulk"
            }
        }
    }

    enum Outcome {
        case measured(PeerRun, redisMicrosPerJob: Double)
        case failed(String)

        var rate: Double? {
            if case .measured(let run, _) = self { return Double(run.jobs) / run.seconds }
            return nil
        }
    }

    private var rows: [(group: Group, label: String, outcome: Outcome)] = []
    private var skipped: [(name: String, reason: String)] = []

    /// Rows whose label starts with "Petal" are the references the others are divided into.
    mutating func add(_ group: Group, _ label: String, _ outcome: Outcome) { rows.append((group, label, outcome)) }

    mutating func skip(_ name: String, reason: String) { skipped.append((name, reason)) }

    func render(title: String) -> String {
        let width = max(40, rows.map(\.label.count).max() ?? 0) + 2
        func padded(_ text: String, _ count: Int) -> String { text.padding(toLength: max(count, text.count), withPad: " ", startingAt: 0) }
        func rightAligned(_ text: String, _ count: Int) -> String { String(repeating: " ", count: max(0, count - text.count)) + text }
        var lines = [title, padded("", width + 2) + "    jobs     jobs/s  Redis µs/job  first job  Petal ÷ this"]
        for group in Group.allCases {
            let members = rows.filter { $0.group == group }
            guard !members.isEmpty else { continue }
            let references = members.filter { $0.label.hasPrefix("Petal") }
            lines.append(group.title + (group == .drain && references.count > 1 ? " (ratios: Petal -c 2 / -c 4)" : ""))
            for row in members {
                var line = "  " + padded(row.label, width)
                switch row.outcome {
                case .failed(let reason):
                    line += "failed: " + reason
                case .measured(let run, let micros):
                    let rate = Double(run.jobs) / run.seconds
                    line += rightAligned(String(run.jobs), 8) + rightAligned(Self.grouped(rate), 11)
                        + rightAligned(String(format: "%.0f", micros), 14)
                        + rightAligned(run.first.map { String(format: "%.2f s", $0) } ?? "", 11)
                    if !row.label.hasPrefix("Petal") {
                        let ratios = references.compactMap { $0.outcome.rate }.map { String(format: "%.2f×", $0 / rate) }
                        line += "  " + ratios.joined(separator: " / ")
                    }
                }
                lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
            }
        }
        for (name, reason) in skipped { lines.append("skipped: \(name): \(reason)") }
        return lines.joined(separator: "\n")
    }

    /// 12345.6 as "12,346".
    private static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
