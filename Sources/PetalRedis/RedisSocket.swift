#if canImport(Glibc)
import Glibc
#endif

/// One connected socket to a Redis server or sentinel, plaintext or TLS, with timeouts.
///
/// Plaintext is a blocking socket with SO_RCVTIMEO and SO_SNDTIMEO, as hiredis used it: one system
/// call per read or write, so plaintext costs what it did. TLS (`TLSSession`) runs the socket
/// non-blocking and waits with poll(2). Not Sendable: it belongs to its connection's thread.
final class RedisSocket {
    enum Address: Sendable, Equatable, CustomStringConvertible {
        case tcp(host: String, port: Int)
        case unix(path: String)

        var description: String {
            switch self {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): return path
            }
        }
    }

    let address: Address
    private let descriptor: Int32
    private let tls: TLSSession?
    /// Seconds a read or write may wait.
    private var timeout: Double
    private var closed = false
    /// Bytes read so far, and whether a client certificate was offered: a TLS 1.3 server that wants
    /// one finishes the handshake and then drops the connection, so the first read says why.
    private var received = 0
    private let offeredCertificate: Bool

    private init(address: Address, descriptor: Int32, tls: TLSSession?, timeout: Double, offeredCertificate: Bool) {
        self.address = address
        self.descriptor = descriptor
        self.tls = tls
        self.timeout = timeout
        self.offeredCertificate = offeredCertificate
    }

    deinit { close() }

    /// Connects (and with `tls`, runs the handshake) within `connectTimeout` seconds.
    static func open(_ address: Address, tls settings: RedisTLS?, connectTimeout: Double, timeout: Double) throws(RedisError) -> RedisSocket {
        let deadline = MonotonicClock.seconds() + connectTimeout
        let descriptor = try connect(address, deadline: deadline)
        var session: TLSSession?
        if let settings {
            guard case .tcp(let host, _) = address else {
                Glibc.close(descriptor)
                throw .connection("TLS is for TCP connections, not the Unix socket \(address)")
            }
            do {
                session = try TLSSession.handshake(descriptor: descriptor, host: host, settings: settings, deadline: deadline)
            } catch {
                Glibc.close(descriptor)
                throw error
            }
        } else {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        }
        let socket = RedisSocket(address: address, descriptor: descriptor, tls: session, timeout: timeout,
                                 offeredCertificate: settings?.certificateFile != nil)
        socket.setTimeout(timeout)
        return socket
    }

    func close() {
        if closed { return }
        closed = true
        tls?.shutdown()
        Glibc.close(descriptor)
    }

    /// Seconds each read and write may wait from now on (a blocking command widens it for its call).
    func setTimeout(_ seconds: Double) {
        timeout = seconds
        guard tls == nil else { return }  // TLS waits with poll and its own deadline
        let whole = Int(seconds)
        var value = timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    enum WriteResult {
        case written
        /// `sentSomething`: some bytes reached the socket before the failure.
        case failed(RedisError, sentSomething: Bool)
    }

    /// Writes every byte, waiting at most the timeout for room each time.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        var offset = 0
        let deadline = MonotonicClock.seconds() + timeout
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            if let tls {
                switch tls.write(rest) {
                case .done(let count): offset += count
                case .wait(let reading):
                    if !TLSSession.wait(descriptor, forReading: reading, until: deadline) {
                        return .failed(.connection("could not send within \(timeout) s (the command timeout)"), sentSomething: offset > 0)
                    }
                case .closed: return .failed(.connection(firstReadHint(Self.closedByServer)), sentSomething: offset > 0)
                case .failed(let reason): return .failed(.connection(firstReadHint("TLS: \(reason)")), sentSomething: offset > 0)
                }
            } else {
                let count = send(descriptor, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                if count > 0 { offset += count; continue }
                let code = errno
                if count < 0 && code == EINTR { continue }
                let reason = code == EAGAIN || code == EWOULDBLOCK
                    ? "could not send within \(timeout) s (the command timeout)" : String(cString: strerror(code))
                return .failed(.connection(reason), sentSomething: offset > 0)
            }
        }
        return .written
    }

    /// Reads what has arrived, waiting up to the timeout for the first byte.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int {
        guard let tls else {
            while true {
                let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
                if count > 0 { return count }
                if count == 0 { throw .connection(Self.closedByServer) }
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { throw .connection("no reply within \(timeout) s (the command timeout)") }
                throw .connection(String(cString: strerror(code)))
            }
        }
        let deadline = MonotonicClock.seconds() + timeout
        while true {
            switch tls.read(buffer) {
            case .done(let count):
                received += count
                return count
            case .wait(let reading):
                if !TLSSession.wait(descriptor, forReading: reading, until: deadline) {
                    throw .connection("no reply within \(timeout) s (the command timeout)")
                }
            case .closed: throw .connection(firstReadHint(Self.closedByServer))
            case .failed(let reason): throw .connection(firstReadHint("TLS: \(reason)"))
            }
        }
    }

    private func firstReadHint(_ message: String) -> String {
        // Said once: OpenSSL's own reason may already name the certificate.
        guard received == 0, !offeredCertificate, !message.contains("client certificate") else { return message }
        return "\(message) before its first reply: the server may require a client certificate (--redis-tls-cert and --redis-tls-key)"
    }

    /// Reads only what is there now: nil when there is nothing (a TLS record may also have held
    /// no data, such as a session ticket).
    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int? {
        guard let tls else {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { return count }
            if count == 0 { throw .connection(Self.closedByServer) }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return nil }
            throw .connection(String(cString: strerror(code)))
        }
        switch tls.read(buffer) {
        case .done(let count): return count
        case .wait: return nil
        case .closed: throw .connection(Self.closedByServer)
        case .failed(let reason): throw .connection("TLS: \(reason)")
        }
    }

    /// Waits up to `seconds` for input; true when there may be some.
    func waitForInput(seconds: Double) -> Bool {
        if tls?.hasBufferedBytes == true { return true }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Int32(seconds * 1000))
        return ready > 0 || (ready < 0 && errno != EINTR)
    }

    /// A request/reply connection has nothing to read between commands. When the socket has
    /// something anyway, it is the server closing it (restart, `CLIENT KILL`, idle timeout) or, over
    /// TLS, a record without data (a session ticket) that is read here and dropped.
    func isClosedOrOutOfStep() -> Bool {
        if tls?.hasBufferedBytes == true { return true }
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        guard tls != nil else { return true }
        var scratch = [UInt8](repeating: 0, count: 512)
        do {
            let data = try scratch.withUnsafeMutableBytes { buffer throws(RedisError) in try readAvailable(into: buffer) }
            return data != nil
        } catch {
            return true
        }
    }

    static let closedByServer = "the server closed the connection"

    // MARK: - Connecting

    /// A connected non-blocking socket to the first of the address's resolved addresses that answers.
    private static func connect(_ address: Address, deadline: Double) throws(RedisError) -> Int32 {
        switch address {
        case .unix(let path):
            var socketAddress = sockaddr_un()
            socketAddress.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: socketAddress.sun_path) else { throw .connection("socket path too long: \(path)") }
            withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            // A local connect does not wait on the network: it succeeds or fails at once.
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw .connection("cannot open a socket: \(String(cString: strerror(errno)))") }
            let status = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if status != 0 {
                let reason = String(cString: strerror(errno))
                Glibc.close(descriptor)
                throw .connection("cannot connect to \(path): \(reason)")
            }
            return descriptor
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                throw .connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var failure = "no address"
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let current = entry {
                entry = current.pointee.ai_next
                let descriptor = socket(current.pointee.ai_family,
                                        current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                                        current.pointee.ai_protocol)
                if descriptor < 0 { failure = String(cString: strerror(errno)); continue }
                if let problem = finishConnect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen, deadline: deadline) {
                    failure = problem
                    Glibc.close(descriptor)
                    continue
                }
                var on: Int32 = 1
                let size = socklen_t(MemoryLayout<Int32>.size)
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, size)
                // Keepalive finds a peer that vanished (a partition, a crashed host) on an idle connection.
                setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &on, size)
                var idle: Int32 = 10, interval: Int32 = 5, count: Int32 = 3
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, size)
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, size)
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, size)
                return descriptor
            }
            throw .connection("cannot connect to \(address): \(failure)")
        }
    }

    /// Connects a non-blocking socket, waiting until the deadline; nil on success, else why not.
    private static func finishConnect(_ descriptor: Int32, _ target: UnsafePointer<sockaddr>, _ length: socklen_t, deadline: Double) -> String? {
        if Glibc.connect(descriptor, target, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        if !TLSSession.wait(descriptor, forReading: false, until: deadline) { return "no answer within the connect timeout" }
        var problem: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &problem, &size)
        return problem == 0 ? nil : String(cString: strerror(problem))
    }
}
