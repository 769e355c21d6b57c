import Foundation

/// Bar charts drawn on the server as inline SVG (no script, no library): one group of bars per
/// time bucket, one colour per series, with a y scale and a few x labels.
struct SVGChart {
    struct Series {
        let name: String
        let cssClass: String
        let values: [Int]
    }

    let title: String
    let labels: [String]
    let series: [Series]
    var width = 480
    var height = 180

    func render() -> String {
        let left = 44.0, right = 8.0, top = 12.0, bottom = 28.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let peak = max(1, series.flatMap(\.values).max() ?? 1)
        let scale = Self.niceCeiling(peak)
        let buckets = max(1, labels.count)
        let slot = plotWidth / Double(buckets)
        let barWidth = max(1, (slot - 1) / Double(max(1, series.count)))
        var svg = #"<svg class="chart" viewBox="0 0 \#(width) \#(height)" role="img" aria-label="\#(Self.escape(title))" xmlns="http://www.w3.org/2000/svg">"#
        svg += "<title>\(Self.escape(title))</title>"
        for step in 0...4 {
            let value = scale * step / 4
            let y = top + plotHeight - plotHeight * Double(value) / Double(scale)
            svg += #"<line class="grid" x1="\#(left)" x2="\#(Double(width) - right)" y1="\#(Self.number(y))" y2="\#(Self.number(y))"/>"#
            svg += #"<text class="axis" x="\#(left - 4)" y="\#(Self.number(y + 4))" text-anchor="end">\#(value)</text>"#
        }
        for (index, label) in labels.enumerated() {
            let x0 = left + slot * Double(index)
            for (position, one) in series.enumerated() where index < one.values.count && one.values[index] > 0 {
                let value = one.values[index]
                let barHeight = plotHeight * Double(value) / Double(scale)
                svg += #"<rect class="\#(one.cssClass)" x="\#(Self.number(x0 + barWidth * Double(position)))" y="\#(Self.number(top + plotHeight - barHeight))" width="\#(Self.number(barWidth))" height="\#(Self.number(barHeight))"><title>\#(Self.escape(label)) \#(Self.escape(one.name)): \#(value)</title></rect>"#
            }
            let every = max(1, buckets / 6)
            if index % every == 0 {
                svg += #"<text class="axis" x="\#(Self.number(x0))" y="\#(height - 8)">\#(Self.escape(label))</text>"#
            }
        }
        svg += "</svg>"
        return svg
    }

    /// 1, 2, 5 × 10ⁿ at or above `value`, so the axis reads in round numbers.
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while magnitude * 10 <= value { magnitude *= 10 }
        for factor in [1, 2, 4, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    private static func number(_ value: Double) -> String { Format.fixed(value, digits: 1) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
