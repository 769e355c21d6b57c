import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to Redis on hiredis.
///
/// Not Sendable on purpose: one connection belongs to one thread (a `ConnectionThread`, a worker
/// child's main thread, the supervisor's loop). It connects lazily. Before a command goes out on a
/// connection that was already open, it checks the socket: a server that restarted (or closed an
/// idle client) has left it readable or hung up while no reply was due, so the connection is
/// replaced first and the caller never sees the stale socket. A command whose write fails on a
/// reused connection is sent once more on a fresh one: an unwritten (or half-written) command was
/// never run. A failed read is not retried: the command may have run.
public final class RedisConnection {
    public let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?
    private var scriptsLoaded: Set<String> = []
    /// Function libraries this connection has seen Redis hold in their current version.
    private var librariesChecked: Set<String> = []
    /// Seconds added to the command timeout while a blocking command (BLPOP) waits on the server.
    private var blockAllowance: Double = 0
    /// True while AUTH and SELECT run inside `connect`: a failure there is not retried.
    private var connecting = false

    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    deinit { close() }

    public var isConnected: Bool { context != nil }

    public func close() {
        if let context { redisFree(context) }
        context = nil
        scriptsLoaded.removeAll()
        librariesChecked.removeAll()
    }

    /// Connects now (otherwise the first command connects), authenticating and selecting the database.
    public func connect() throws(RedisError) {
        if context != nil { return }
        let connectTimeout = Self.timeval(seconds: configuration.connectTimeout)
        let created: UnsafeMutablePointer<redisContext>?
        switch configuration.endpoint {
        case .tcp(let host, let port):
            created = redisConnectWithTimeout(host, Int32(port), connectTimeout)
        case .unix(let path):
            created = redisConnectUnixWithTimeout(path, connectTimeout)
        }
        guard let created else { throw .connection("cannot allocate a hiredis context") }
        if created.pointee.err != 0 {
            let message = Self.errorText(created)
            redisFree(created)
            throw .connection("\(configuration): \(message)")
        }
        redisSetTimeout(created, Self.timeval(seconds: configuration.commandTimeout + blockAllowance))
        // hiredis opens sockets without close-on-exec; spawned processes must not inherit them.
        _ = fcntl(created.pointee.fd, F_SETFD, fcntl(created.pointee.fd, F_GETFD) | FD_CLOEXEC)
        context = created
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
        guard let context else { throw .closed }
        var raw: UnsafeMutableRawPointer?
        if redisGetReply(context, &raw) != REDIS_OK || raw == nil { throw brokenConnection() }
        defer { freeReplyObject(raw) }
        return Self.convert(raw!.assumingMemoryBound(to: redisReply.self).pointee)
    }

    /// Writes commands for request and reply use: drops a connection the server has closed, then
    /// writes all of them; when nothing reached a reused connection's socket, writes them once more
    /// on a fresh connection (nothing was sent, so nothing can run twice).
    private func write(_ commands: [[RedisArgument]]) throws(RedisError) {
        dropIfClosedByServer()
        let reused = context != nil && !connecting
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

    /// Appends and flushes the commands. A single command only partly written was not run (the
    /// server discards an incomplete command when the connection goes), so it counts as not sent;
    /// of several, any written chunk may have held whole commands.
    private func writeNow(_ commands: [[RedisArgument]]) -> WriteResult {
        guard let context else { return .failed(.closed, sentSomething: false) }
        for argv in commands {
            let status = Self.withArgv(argv) { argc, pointers, lengths in
                redisAppendCommandArgv(context, argc, pointers, lengths)
            }
            if status != REDIS_OK { return .failed(brokenConnection(), sentSomething: false) }
        }
        var done: Int32 = 0
        var first = true
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK {
                return .failed(brokenConnection(), sentSomething: !first && commands.count > 1)
            }
            first = false
        }
        return .written
    }

    /// A request/reply connection has nothing to read between commands: if its socket is readable,
    /// hung up or in error, the server closed it (restart, `CLIENT KILL`, idle timeout). Closing it
    /// here means the next command connects afresh instead of failing on the dead socket.
    private func dropIfClosedByServer() {
        guard let context else { return }
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready > 0 && descriptor.revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 { close() }
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
        try pipeline(commands) { reply throws(RedisError) in Self.convert(reply) }
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
        guard let context else { throw .closed }
        var replies: [Reply] = []
        replies.reserveCapacity(commands.count)
        // Every reply is read before a refused one is reported, so the connection stays in step.
        var refused: RedisError?
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK || raw == nil { throw brokenConnection() }
            defer { freeReplyObject(raw) }
            do { replies.append(try read(raw!.assumingMemoryBound(to: redisReply.self).pointee)) } catch { refused = refused ?? error }
        }
        if let refused { throw refused }
        return replies
    }

    /// Runs a Lua script by SHA, loading it first on this connection when Redis does not know it
    /// (first use, or after a restart emptied the script cache).
    public func evaluate(_ script: RedisScript, keys: [RedisArgument] = [], arguments: [RedisArgument] = [])
        throws(RedisError) -> RedisValue {
        let argv = script.evalshaArguments(keys: keys, arguments: arguments)
        let reply = try send(argv)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            try command(["SCRIPT", "LOAD", RedisArgument(script.source)])
            return try send(argv).orThrow()
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

    /// Many function calls in one round trip; error replies stay in place (with part and line).
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
        return replies.map { reply in
            if case .error(let message) = reply { return .error(library.located(message)) }
            return reply
        }
    }

    /// Loads `library` unless Redis already holds this very code; once per connection.
    private func ensureLoaded(_ library: RedisFunctionLibrary) throws(RedisError) {
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
        guard let context else { throw .closed }
        // Kept for the call, so a connection made afresh inside `send` waits as long too.
        blockAllowance = blockSeconds
        redisSetTimeout(context, Self.timeval(seconds: configuration.commandTimeout + blockSeconds))
        defer {
            blockAllowance = 0
            if let current = self.context { redisSetTimeout(current, Self.timeval(seconds: configuration.commandTimeout)) }
        }
        return try send(argv).orThrow()
    }

    /// Waits up to `seconds` for a reply nobody asked for (pub/sub messages). `nil` when none came.
    /// Polls the socket first, so an idle subscription neither blocks forever nor breaks on a timeout.
    func nextPushedReply(waitingUpTo seconds: Double) throws(RedisError) -> RedisValue? {
        guard let context else { throw .closed }
        var raw: UnsafeMutableRawPointer?
        if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw brokenConnection() }
        if raw == nil {
            var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(seconds * 1000))
            if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
            if ready < 0 || redisBufferRead(context) != REDIS_OK { throw brokenConnection() }
            if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw brokenConnection() }
            if raw == nil { return nil }
        }
        defer { freeReplyObject(raw) }
        return Self.convert(raw!.assumingMemoryBound(to: redisReply.self).pointee)
    }

    /// Sends a command without reading its reply (SUBSCRIBE: replies arrive as pushed messages).
    func append(_ argv: [RedisArgument]) throws(RedisError) {
        try connect()
        guard let context else { throw .closed }
        let status = Self.withArgv(argv) { argc, pointers, lengths in
            redisAppendCommandArgv(context, argc, pointers, lengths)
        }
        if status != REDIS_OK { throw brokenConnection() }
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { throw brokenConnection() }
        }
    }

    private func brokenConnection() -> RedisError {
        let code = errno
        var message = context.map(Self.errorText) ?? "not connected"
        // A read that outlives SO_RCVTIMEO fails with EAGAIN, which hiredis reports as "Resource
        // temporarily unavailable": say what happened instead.
        if context?.pointee.err == REDIS_ERR_IO, code == EAGAIN || code == EWOULDBLOCK {
            message = "no reply within \(configuration.commandTimeout) s (the command timeout)"
        }
        close()
        return .connection("\(configuration): \(message)")
    }

    // MARK: - C plumbing

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            return text.isEmpty ? "error \(context.pointee.err)" : text
        }
    }

    private static func timeval(seconds: Double) -> timeval {
        let whole = Int(seconds)
        return Glibc.timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
    }

    /// Lays the arguments out in one buffer and hands hiredis pointers and lengths into it.
    private static func withArgv<R>(_ argv: [RedisArgument],
                                    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        var storage: [UInt8] = []
        storage.reserveCapacity(argv.reduce(1) { $0 + $1.bytes.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(argv.count)
        lengths.reserveCapacity(argv.count)
        for argument in argv {
            offsets.append(storage.count)
            lengths.append(argument.bytes.count)
            storage.append(contentsOf: argument.bytes)
        }
        storage.append(0)
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var pointers = offsets.map { Optional((base + $0).assumingMemoryBound(to: CChar.self)) }
            return pointers.withUnsafeMutableBufferPointer { pointerBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(argv.count), pointerBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

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
