/// Commands in RESP, Redis's wire format: `*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument.
/// Written straight into the connection's output buffer, so a pipeline is one buffer and one write.
enum RESPEncoding {
    static func append(_ argv: [RedisArgument], to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(argv.count, to: &buffer)
        for argument in argv {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(argument.bytes.count, to: &buffer)
            buffer.append(contentsOf: argument.bytes)
            buffer.append(13)
            buffer.append(10)
        }
    }

    /// A non-negative number in decimal digits, then CRLF.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: 48 + value))
        } else {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var rest = value
            withUnsafeMutableBytes(of: &digits) { raw in
                while rest > 0 {
                    raw[count] = UInt8(truncatingIfNeeded: 48 + rest % 10)
                    rest /= 10
                    count += 1
                }
                for index in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[index]) }
            }
        }
        buffer.append(13)
        buffer.append(10)
    }
}
