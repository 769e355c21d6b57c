import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to Redis: its own socket (plaintext or TLS, `RedisSocket`), commands
/// written in RESP, replies parsed by hiredis's reader (`redisReaderFeed`/`redisReaderGetReply`).
///
/// Not Sendable on purpose: one connection belongs to one thread (a `ConnectionThread`, a worker
/// child's main thread, the supervisor's loop). It connects lazily; through Sentinel it asks the
/// sentinels for the primary on every connect and checks it with ROLE. Before a command goes out on
/// a connection that was already open, it checks the socket: a server that restarted (or closed an
/// idle client) has left it readable or hung up while no reply was due, so the connection is
/// replaced first and the caller never sees the stale socket. A command whose write fails on a
/// reused connection is sent once more on a fresh one: an unwritten (or half-written) command was
/// never run. A failed read is not retried: the command may have run. A READONLY reply (the server
/// became a replica in a failover) closes the connection, so the next command finds the primary.
public final class RedisConnection {
    public let configuration: RedisConfiguration
    private var socket: RedisSocket?
    private var reader: UnsafeMutablePointer<redisReader>?
    /// Where bytes from the socket land before the reader takes them.
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 16_384, alignment: 8)
    /// Commands encoded for one write (kept between calls so a command costs no allocation).
    private var output: [UInt8] = []
    /// Function libraries this connection has seen Redis hold in their current version.
    private var librariesChecked: Set<String> = []
    /// Seconds added to the command timeout while a blocking command (BLPOP) waits on the server.
    private var blockAllowance: Double = 0
    /// True while AUTH, SELECT (and under Sentinel, ROLE) run inside `connect`: a failure there is not retried.
    var connecting = false

    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    deinit {
        close()
        input.deallocate()
    }

    public var isConnected: Bool { socket != nil }

    /// The server this connection talks to now (`host:port`, or a socket path), nil when closed.
    /// Under Sentinel, the primary the sentinels named.
    public var serverAddress: String? { socket?.address.description }

    public func close() {
        socket?.close()
        socket = nil
        if let reader { redisReaderFree(reader) }
        reader = nil
        librariesChecked.removeAll()
    }

    /// Connects now (otherwise the first command connects), authenticating and selecting the database.
    public func connect() throws(RedisError) {
        if socket != nil { return }
        switch configuration.endpoint {
        case .tcp(let host, let port): try open(.tcp(host: host, port: port))
        case .unix(let path): try open(.unix(path: path))
        case .sentinel(let sentinel): try openPrimary(of: sentinel)
        }
    }

    /// Opens a socket to `address`, then runs AUTH and SELECT on it.
    func open(_ address: RedisSocket.Address) throws(RedisError) {
        close()
        do {
            socket = try RedisSocket.open(address, tls: configuration.tls, connectTimeout: configuration.connectTimeout,
                                          timeout: configuration.commandTimeout + blockAllowance)
        } catch {
            throw Self.located(error, configuration: configuration, address: address)
        }
        reader = redisReaderCreate()
        connecting = true
        defer { connecting = false }
        do throws(RedisError) {
            if let password = configuration.password {
                var auth: [RedisArgument] = ["AUTH"]
                if let user = configuration.username { auth.append(RedisArgument(user)) }
                auth.append(RedisArgument(password))
                // A refused password stays a server error (a worker must not wait for it to pass);
                // `isAuthenticationFailure` lets the web apps answer 503 with Redis's words.
                try send(auth).orThrow()
            }
            if configuration.database != 0 {
                try send(["SELECT", RedisArgument(configuration.database)]).orThrow()
            }
        } catch {
            close()
            throw error
        }
    }

    /// Sends one command and returns its reply; an error reply is returned as `.error`, not thrown.
    public func send(_ argv: [RedisArgument]) throws(RedisError) -> RedisValue {
        try write([argv])
        let raw = try nextReply()
        let value = Self.convert(raw.pointee)
        freeReplyObject(raw)
        return try inspected(value, for: argv)
    }

    /// Writes commands for request and reply use: drops a connection the server has closed, then
    /// writes all of them; when nothing reached a reused connection's socket, writes them once more
    /// on a fresh connection (nothing was sent, so nothing can run twice).
    private func write(_ commands: [[RedisArgument]]) throws(RedisError) {
        dropIfClosedByServer()
        let reused = socket != nil && !connecting
        try connect()
        guard case .failed(let error, let sentSomething) = writeNow(commands) else { return }
        guard reused, !sentSomething else { throw error }
        try connect()
        if case .failed(let again, _) = writeNow(commands) { throw again }
    }

    private enum WriteResult {
        case written
        /// `sentSomething`: a complete command may have reached the server.
        case failed(RedisError, sentSomething: Bool)
    }

    /// Encodes the commands into one buffer and writes it. A single command only partly written
    /// was not run (the server discards an incomplete command when the connection goes), so it
    /// counts as not sent; of several, any written part may have held whole commands.
    private func writeNow(_ commands: [[RedisArgument]]) -> WriteResult {
        guard let socket else { return .failed(.closed, sentSomething: false) }
        output.removeAll(keepingCapacity: true)
        for argv in commands { RESPEncoding.append(argv, to: &output) }
        let result = output.withUnsafeBytes { socket.write($0) }
        if output.capacity > 1 << 20 { output = [] }  // a huge pipeline does not keep its buffer
        switch result {
        case .written:
            return .written
        case .failed(let error, let sentSomething):
            return .failed(broken(error), sentSomething: sentSomething && commands.count > 1)
        }
    }

    /// The next reply, read from the socket as far as needed. The caller frees it.
    private func nextReply() throws(RedisError) -> UnsafeMutablePointer<redisReply> {
        guard let socket, let reader else { throw .closed }
        while true {
            if let reply = try bufferedReply(reader) { return reply }
            let count: Int
            do { count = try socket.read(into: input) } catch { throw broken(error) }
            redisReaderFeed(reader, input.baseAddress!.assumingMemoryBound(to: CChar.self), count)
        }
    }

    /// A whole reply already in the reader, if there is one.
    private func bufferedReply(_ reader: UnsafeMutablePointer<redisReader>) throws(RedisError) -> UnsafeMutablePointer<redisReply>? {
        var raw: UnsafeMutableRawPointer?
        if redisReaderGetReply(reader, &raw) != REDIS_OK {
            let message = Self.readerError(reader)
            throw broken(.connection("unreadable reply (\(message))"))
        }
        return raw?.assumingMemoryBound(to: redisReply.self)
    }

    /// A request/reply connection has nothing to read between commands: if its socket is readable,
    /// hung up or in error, the server closed it (restart, `CLIENT KILL`, idle timeout). Closing it
    /// here means the next command connects afresh instead of failing on the dead socket.
    private func dropIfClosedByServer() {
        if let socket, socket.isClosedOrOutOfStep() { close() }
    }

    /// Sends one command and throws on an error reply.
    @discardableResult
    public func command(_ argv: [RedisArgument]) throws(RedisError) -> RedisValue {
        try send(argv).orThrow()
    }

    @discardableResult
    public func command(_ strings: String...) throws(RedisError) -> RedisValue {
        try send(strings.map { RedisArgument($0) }).orThrow()
    }

    /// Sends all commands in one write and reads all replies: one round trip for the lot.
    /// Error replies stay in place in the result, so one failed command does not hide the others.
    public func pipeline(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisValue] {
        var index = 0
        let replies = try pipeline(commands) { reply throws(RedisError) -> RedisValue in
            defer { index += 1 }
            let value = Self.convert(reply)
            if case .error(let message) = value, message.hasPrefix("NOPERM") { return RedisValue.error(refusal(message, for: commands[index])) }
            return value
        }
        return replies
    }

    /// Many hashes in one round trip (HGETALL each), their fields and values read straight from
    /// hiredis's reply into strings: going through `RedisValue` made two arrays per field, most
    /// of the cost of reading a page of 100 jobs. A missing key gives no pairs.
    public func hashes(_ keys: [String]) throws(RedisError) -> [[(String, String)]] {
        try pipeline(keys.map { ["HGETALL", RedisArgument($0)] }) { reply throws(RedisError) in
            if reply.type == REDIS_REPLY_ERROR { throw .server(Self.text(reply)) }
            guard reply.type == REDIS_REPLY_ARRAY else { return [] }
            var pairs: [(String, String)] = []
            pairs.reserveCapacity(reply.elements / 2)
            var index = 0
            while index + 1 < reply.elements {
                if let field = reply.element[index], let value = reply.element[index + 1] {
                    pairs.append((Self.text(field.pointee), Self.text(value.pointee)))
                }
                index += 2
            }
            return pairs
        }
    }

    private func pipeline<Reply>(_ commands: [[RedisArgument]], reading read: (redisReply) throws(RedisError) -> Reply) throws(RedisError) -> [Reply] {
        if commands.isEmpty { return [] }
        try write(commands)
        var replies: [Reply] = []
        replies.reserveCapacity(commands.count)
        // Every reply is read before a refused one is reported, so the connection stays in step.
        var refused: RedisError?
        var readOnly = false
        for argv in commands {
            let raw = try nextReply()
            defer { freeReplyObject(raw) }
            if raw.pointee.type == REDIS_REPLY_ERROR {
                let message = Self.text(raw.pointee)
                if message.hasPrefix("READONLY") { readOnly = true }
                if message.hasPrefix("NOPERM") { refused = refused ?? .server(refusal(message, for: argv)) }
            }
            do { replies.append(try read(raw.pointee)) } catch { refused = refused ?? error }
        }
        if readOnly { throw replicaRefusal() }
        if let refused { throw refused }
        return replies
    }

    /// Runs a Lua script by SHA, loading it first on this connection when Redis does not know it
    /// (first use, or after a restart emptied the script cache).
    public func evaluate(_ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = [])
        throws(RedisError) -> RedisValue {
        let argv = script.evalshaArguments(keys: keys, arguments: arguments)
        runningScript = script.name
        defer { runningScript = nil }
        var reply = try send(argv)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            try command(["SCRIPT", "LOAD", RedisArgument(script.source)])
            reply = try send(argv)
        }
        if case .error(let message) = reply, Self.isScriptACLRefusal(message) {
            throw .server(explainedRefusal(message, code: "the script '\(script.name)'", source: script.source, probeKey: Self.probeKey(arguments)))
        }
        return try reply.orThrow()
    }

    /// Calls a function of `library` (FCALL), first making sure the Redis behind this connection
    /// holds the library's code (checked once per connection, loaded when missing or different).
    /// A function Redis has lost since (a restart, `FUNCTION FLUSH`) is loaded and called once
    /// more: a call Redis refused as unknown never ran. Error replies name the part and line.
    public func callFunction(_ function: String, in library: RedisFunctionLibrary, keys: [RedisArgument] = [],
                             arguments: [RedisArgument]) throws(RedisError) -> RedisValue {
        try callFunctions([(function, keys, arguments)], in: library)[0].orThrow()
    }

    /// Many function calls in one round trip; error replies stay in place (with part and line,
    /// and for an ACL refusal inside a function, the commands this user may not run).
    public func callFunctions(_ calls: [(function: String, keys: [RedisArgument], arguments: [RedisArgument])],
                              in library: RedisFunctionLibrary) throws(RedisError) -> [RedisValue] {
        if calls.isEmpty { return [] }
        try ensureLoaded(library)
        let commands = calls.map { call -> [RedisArgument] in
            var argv: [RedisArgument] = ["FCALL", RedisArgument(call.function), RedisArgument(call.keys.count)]
            argv.reserveCapacity(3 + call.keys.count + call.arguments.count)
            argv.append(contentsOf: call.keys)
            argv.append(contentsOf: call.arguments)
            return argv
        }
        var replies = commands.count == 1 ? [try send(commands[0])] : try pipeline(commands)
        if replies.contains(where: RedisFunctionLibrary.isMissingFunction) {
            try load(library)
            for index in replies.indices where RedisFunctionLibrary.isMissingFunction(replies[index]) {
                replies[index] = try send(commands[index])
            }
        }
        return zip(replies, calls).map { reply, call in
            guard case .error(let message) = reply else { return reply }
            let located = library.located(message)
            guard Self.isScriptACLRefusal(message) else { return .error(located) }
            return .error(explainedRefusal(located, code: "the function '\(call.function)'", source: library.source,
                                           probeKey: Self.probeKey(call.arguments)))
        }
    }

    /// Loads `library` unless Redis already holds this very code; once per connection.
    func ensureLoaded(_ library: RedisFunctionLibrary) throws(RedisError) {
        if librariesChecked.contains(library.name) { return }
        let listed = try command(["FUNCTION", "LIST", "LIBRARYNAME", RedisArgument(library.name), "WITHCODE"])
        if RedisFunctionLibrary.loadedCode(in: listed) != library.source { try load(library) }
        librariesChecked.insert(library.name)
    }

    private func load(_ library: RedisFunctionLibrary) throws(RedisError) {
        let reply = try send(["FUNCTION", "LOAD", "REPLACE", RedisArgument(library.source)])
        if case .error(let message) = reply { throw .server(library.located(message)) }
        librariesChecked.insert(library.name)
    }

    /// Runs a blocking command (BLMOVE, BLPOP, ...) whose server-side block is `blockSeconds`,
    /// widening the read timeout for this call only.
    public func blocking(_ argv: [RedisArgument], blockSeconds: Double) throws(RedisError) -> RedisValue {
        dropIfClosedByServer()
        try connect()
        // Kept for the call, so a connection made afresh inside `send` waits as long too.
        blockAllowance = blockSeconds
        socket?.setTimeout(configuration.commandTimeout + blockSeconds)
        defer {
            blockAllowance = 0
            socket?.setTimeout(configuration.commandTimeout)
        }
        return try send(argv).orThrow()
    }

    /// Waits up to `seconds` for a reply nobody asked for (pub/sub messages). `nil` when none came.
    /// Polls the socket first, so an idle subscription neither blocks forever nor breaks on a timeout.
    func nextPushedReply(waitingUpTo seconds: Double) throws(RedisError) -> RedisValue? {
        guard let socket, let reader else { throw .closed }
        var raw = try bufferedReply(reader)
        if raw == nil {
            if !socket.waitForInput(seconds: seconds) { return nil }
            let count: Int?
            do { count = try socket.readAvailable(into: input) } catch { throw broken(error) }
            guard let count else { return nil }
            redisReaderFeed(reader, input.baseAddress!.assumingMemoryBound(to: CChar.self), count)
            raw = try bufferedReply(reader)
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return Self.convert(raw.pointee)
    }

    /// Sends a command without reading its reply (SUBSCRIBE: replies arrive as pushed messages).
    func append(_ argv: [RedisArgument]) throws(RedisError) {
        try connect()
        if case .failed(let error, _) = writeNow([argv]) { throw error }
    }

    // MARK: - Failures

    /// Closes the connection and says which server failed and how.
    private func broken(_ error: RedisError) -> RedisError {
        let address = socket?.address
        close()
        guard case .connection(let message) = error else { return error }
        if message.hasPrefix("\(configuration)") { return error }
        return .connection(Self.locatedMessage(message, configuration: configuration, address: address))
    }

    static func located(_ error: RedisError, configuration: RedisConfiguration, address: RedisSocket.Address) -> RedisError {
        guard case .connection(let message) = error else { return error }
        return .connection(locatedMessage(message, configuration: configuration, address: address))
    }

    /// "`<url>`: message", with the server's address when the URL does not say it (Sentinel), and a
    /// hint when a plaintext client meets a server that only speaks TLS.
    private static func locatedMessage(_ message: String, configuration: RedisConfiguration, address: RedisSocket.Address?) -> String {
        var place = configuration.description
        if case .sentinel = configuration.endpoint, let address { place += " (primary at \(address))" }
        var text = "\(place): \(message)"
        if configuration.tls == nil, message == RedisSocket.closedByServer || message.contains("reset by peer") {
            text += " (if the server only speaks TLS, use rediss://)"
        }
        return text
    }

    /// A READONLY reply: the server is a replica now. The connection is closed so the next command
    /// finds the primary again (through the sentinels); the write was not made, so retrying is safe.
    private func replicaRefusal() -> RedisError {
        let address = serverAddress ?? "the server"
        close()
        return .connection("\(configuration): \(address) is a read-only replica now (a failover?); the write was refused (READONLY) and will be retried on the primary")
    }

    /// Looks at an error reply: READONLY becomes a connection error (see `replicaRefusal`), and a
    /// NOPERM is told with the command Redis refused, which its own words do not always name.
    private func inspected(_ value: RedisValue, for argv: [RedisArgument]) throws(RedisError) -> RedisValue {
        guard case .error(let message) = value else { return value }
        if message.hasPrefix("READONLY") { throw replicaRefusal() }
        if message.hasPrefix("NOPERM") { return .error(refusal(message, for: argv)) }
        return value
    }

    /// The name of the script `evaluate` is running, for refusals.
    private var runningScript: String?

    private func refusal(_ message: String, for argv: [RedisArgument]) -> String {
        var command = argv.first.map { String(decoding: $0.bytes, as: UTF8.self).uppercased() } ?? "?"
        if command == "EVALSHA" || command == "EVAL", let runningScript { command += " of the script '\(runningScript)'" }
        let user = configuration.username.map { "ACL user '\($0)'" } ?? "the default user"
        return "\(message) (Redis refused \(command) for \(user); docs/PROTOCOL.md lists the ACL rules Petal needs)"
    }

    private static func readerError(_ reader: UnsafeMutablePointer<redisReader>) -> String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            return text.isEmpty ? "protocol error" : text
        }
    }

    // MARK: - Replies

    static func convert(_ reply: redisReply) -> RedisValue {
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(reply))
        case REDIS_REPLY_STATUS:
            return .status(text(reply))
        case REDIS_REPLY_ERROR:
            return .error(text(reply))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(reply.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] { elements.append(convert(element.pointee)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    /// A string reply as text (one allocation, none for short strings).
    private static func text(_ reply: redisReply) -> String {
        guard let pointer = reply.str, reply.len > 0 else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: reply.len) { String(decoding: UnsafeBufferPointer(start: $0, count: reply.len), as: UTF8.self) }
    }

    private static func bytes(_ reply: redisReply) -> [UInt8] {
        guard let pointer = reply.str, reply.len > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: reply.len) { Array(UnsafeBufferPointer(start: $0, count: reply.len)) }
    }
}
