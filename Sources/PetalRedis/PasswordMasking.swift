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

    /// Where the passwords are: after the user's ':' in `scheme://user:password@`, and the values of
    /// `password=` and `sentinel_password=` query parameters.
    static func passwordRanges(in bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let text = String(decoding: bytes, as: UTF8.self)
        guard let scheme = text.range(of: "://") else { return [] }
        let authorityStart = text.utf8.distance(from: text.startIndex, to: scheme.upperBound)
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, bytes[authorityEnd] != UInt8(ascii: "/"), bytes[authorityEnd] != UInt8(ascii: "?") { authorityEnd += 1 }
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) {
            let colon = bytes[authorityStart..<at].firstIndex(of: UInt8(ascii: ":"))
            let start = colon.map { $0 + 1 } ?? authorityStart
            if start < at { ranges.append(start..<at) }
        }
        if let question = bytes[authorityEnd...].firstIndex(of: UInt8(ascii: "?")) {
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
