#if canImport(Glibc)
import Glibc
#endif

/// Keeps Redis passwords out of what `ps` shows. A URL typed on the command line
/// (`--redis redis://:secret@host`) sits in the process's argv, which every user of the machine can
/// read in /proc; like redis-server with `--requirepass`, Petal overwrites the password's bytes in
/// place with `*` as soon as it starts (Swift's `CommandLine.arguments`, copied earlier, keeps the
/// real value for parsing).
public enum PasswordMasking {
    /// Options whose value is `USER:PASSWORD` (the monitor's basic auth).
    static let credentialOptions = ["--basic-auth"]
    /// Options whose whole value is a password.
    static let secretOptions = ["--redis-sentinel-password"]

    /// Overwrites every Redis URL password, and the password of `--basic-auth USER:PASS`, in this
    /// process's argv with `*`s.
    public static func hideInProcessArguments() {
        let argv = CommandLine.unsafeArgv
        var previous = ""
        for index in 1..<Int(CommandLine.argc) {
            guard let argument = argv[index] else { continue }
            let length = strlen(argument)
            let bytes = UnsafeMutableBufferPointer(start: UnsafeMutableRawPointer(argument).assumingMemoryBound(to: UInt8.self), count: length)
            let text = Array(bytes)
            var ranges = passwordRanges(in: text)
            if credentialOptions.contains(previous) {
                ranges += credentialRange(in: text, from: 0)
            } else if let option = credentialOptions.first(where: { text.starts(with: Array(($0 + "=").utf8)) }) {
                ranges += credentialRange(in: text, from: option.utf8.count + 1)
            } else if secretOptions.contains(previous) {
                ranges.append(0..<text.count)
            } else if let option = secretOptions.first(where: { text.starts(with: Array(($0 + "=").utf8)) }) {
                ranges.append(option.utf8.count + 1..<text.count)
            }
            for range in ranges {
                for offset in range { bytes[offset] = UInt8(ascii: "*") }
            }
            previous = String(decoding: text, as: UTF8.self)
        }
    }

    /// The part after the first ':' of `USER:PASS` starting at `start`.
    static func credentialRange(in bytes: [UInt8], from start: Int) -> [Range<Int>] {
        guard start < bytes.count, let colon = bytes[start...].firstIndex(of: UInt8(ascii: ":")), colon + 1 < bytes.count else { return [] }
        return [colon + 1..<bytes.count]
    }

    /// `text` with each password's characters replaced by `*` (same length), for arguments handed on.
    public static func masked(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let ranges = passwordRanges(in: bytes)
        if ranges.isEmpty { return text }
        for range in ranges { for offset in range { bytes[offset] = UInt8(ascii: "*") } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where a URL's user name and password are (`scheme://userinfo@host`), as the URL reader takes
    /// them: up to the last '@' before the query, so a raw '/' in a password is still a password.
    /// A raw '?' in a password (which starts the query too early) is caught as well. `password` is what follows
    /// the userinfo's first ':', or the whole userinfo when it has none; `queryStart` is the '?'
    /// that begins the real query, if any.
    static func credentials(in bytes: [UInt8]) -> (userinfo: Range<Int>?, password: Range<Int>?, queryStart: Int?)? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let scheme = text.range(of: "://") else { return nil }
        let start = text.utf8.distance(from: text.startIndex, to: scheme.upperBound)
        let question = bytes[start...].firstIndex(of: UInt8(ascii: "?"))
        // The userinfo ends at the last '@' that is not in the value of a parameter the reader
        // knows (`?password=a@b`); one past the first '?' means a raw '?' in the userinfo.
        let at = bytes[start...].indices.reversed().first { index in
            bytes[index] == UInt8(ascii: "@") && !isInKnownParameterValue(bytes, index, after: start)
        }
        guard let at else { return (nil, nil, question) }
        // A raw '?' makes the URL malformed (the reader refuses it): hide the whole userinfo then.
        let malformed = bytes[start..<at].contains(UInt8(ascii: "?"))
        let colon = malformed ? nil : bytes[start..<at].firstIndex(of: UInt8(ascii: ":"))
        let passwordStart = colon.map { $0 + 1 } ?? start
        let queryStart = at > (question ?? bytes.count) ? bytes[at...].firstIndex(of: UInt8(ascii: "?")) : question
        return (start..<at, passwordStart < at ? passwordStart..<at : nil, queryStart)
    }

    /// Whether `index` lies in the value of a `name=value` pair whose name the URL reader knows.
    private static func isInKnownParameterValue(_ bytes: [UInt8], _ index: Int, after start: Int) -> Bool {
        guard let pairStart = bytes[start..<index].lastIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "&") }) else { return false }
        let pair = String(decoding: bytes[(pairStart + 1)..<index], as: UTF8.self).lowercased()
        return RedisConfiguration.knownParameters.contains { pair.hasPrefix($0 + "=") }
    }

    /// Where the passwords are: the URL's (see `credentials`), and the values of `password=` and
    /// `sentinel_password=` query parameters.
    static func passwordRanges(in bytes: [UInt8]) -> [Range<Int>] {
        guard let found = credentials(in: bytes) else { return [] }
        var ranges: [Range<Int>] = found.password.map { [$0] } ?? []
        if let question = found.queryStart {
            var pairStart = question + 1
            while pairStart < bytes.count {
                let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                for key in [Array("password=".utf8), Array("sentinel_password=".utf8)] {
                    if pairEnd - pairStart > key.count, bytes[pairStart..<pairStart + key.count].map({ $0 | 0x20 }) == key.map({ $0 | 0x20 }) {
                        ranges.append(pairStart + key.count..<pairEnd)
                    }
                }
                pairStart = pairEnd + 1
            }
        }
        return ranges
    }
}
