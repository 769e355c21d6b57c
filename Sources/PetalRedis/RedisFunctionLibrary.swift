/// A Redis 7 function library (`FUNCTION LOAD`), assembled from named parts (files) laid end to end.
///
/// A connection checks once that Redis holds this very code (`FUNCTION LIST ... WITHCODE`) and
/// loads it with `FUNCTION LOAD REPLACE` when Redis holds none or another version; a call that
/// finds the function gone (a restart without persistence, `FUNCTION FLUSH`) loads it and runs once
/// more. Redis reports errors by line of the whole library; `located` turns them into `part:line`.
public struct RedisFunctionLibrary: Sendable, Hashable {
    /// The library name, as in the source's first line `#!lua name=<name>`.
    public let name: String
    public let source: String
    /// Each part's name and how many lines it has, in the order they were laid out.
    public let parts: [Part]

    public struct Part: Sendable, Hashable {
        public let name: String
        public let lineCount: Int
    }

    /// Lays `parts` (name, text) end to end; the first must start with `#!lua name=<name>`.
    public init(name: String, parts: [(name: String, text: String)]) {
        self.name = name
        var source = ""
        var laidOut: [Part] = []
        for part in parts {
            let text = part.text.hasSuffix("\n") ? part.text : part.text + "\n"
            source += text
            laidOut.append(Part(name: part.name, lineCount: text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }))
        }
        self.source = source
        self.parts = laidOut
    }

    /// The part and line within it of a line of the whole library (1-based), or nil past the end.
    public func location(ofLine line: Int) -> (part: String, line: Int)? {
        var first = 1
        for part in parts {
            if line >= first && line < first + part.lineCount { return (part.name, line - first + 1) }
            first += part.lineCount
        }
        return nil
    }

    /// An error reply with Redis's `user_function:<line>` replaced by `<part>:<line>`, so a
    /// message names the file and line it came from.
    public func located(_ message: String) -> String {
        let marker = "user_function:"
        var result = ""
        var rest = Substring(message)
        while let range = rest.range(of: marker) {
            result += rest[..<range.lowerBound]
            let digits = rest[range.upperBound...].prefix(while: \.isNumber)
            if let line = Int(digits), let place = location(ofLine: line) {
                result += "\(place.part):\(place.line)"
            } else {
                result += rest[range.lowerBound..<range.upperBound] + digits
            }
            rest = rest[range.upperBound...].dropFirst(digits.count)
        }
        return result + rest
    }
}

extension RedisFunctionLibrary {
    /// Redis's answer to FCALL of a function no loaded library registers.
    static func isMissingFunction(_ reply: RedisValue) -> Bool {
        if case .error(let message) = reply { return message.hasPrefix("ERR Function not found") }
        return false
    }

    /// The code Redis holds for this library, from `FUNCTION LIST LIBRARYNAME <name> WITHCODE`
    /// (a list of maps sent as flat key/value arrays); nil when Redis has no such library.
    static func loadedCode(in reply: RedisValue) -> String? {
        for library in reply.array ?? [] {
            let fields = library.array ?? []
            var index = 0
            while index + 1 < fields.count {
                if fields[index].string == "library_code" { return fields[index + 1].string }
                index += 2
            }
        }
        return nil
    }
}
