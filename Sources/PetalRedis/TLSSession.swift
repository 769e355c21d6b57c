import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// TLS on a connected socket with OpenSSL (Debian's libssl): the server's certificate verified
/// against the CA file or the system store, its name checked (DNS name or IP address), SNI sent,
/// and a client certificate presented when one is configured.
///
/// The socket is non-blocking and every wait is a poll(2) with a deadline: OpenSSL may need to read
/// while writing (and the other way round), which SO_RCVTIMEO on a blocking socket cannot bound.
/// Not Sendable: it belongs to the connection's thread.
final class TLSSession {
    private let ssl: OpaquePointer

    private init(ssl: OpaquePointer) {
        self.ssl = ssl
    }

    /// Runs the handshake on a connected non-blocking socket; throws a message that says why the
    /// server was refused.
    static func handshake(descriptor: Int32, host: String, settings: RedisTLS, deadline: Double) throws(RedisError) -> TLSSession {
        let context = try makeContext(settings)
        defer { SSL_CTX_free(context) }  // the session holds its own reference
        guard let ssl = SSL_new(context) else { throw .connection("TLS: cannot create a session: \(queuedErrors())") }
        SSL_set_fd(ssl, descriptor)
        let isAddress = isIPAddress(host)
        if !isAddress { _ = petal_ssl_set_sni(ssl, host) }  // SNI carries names only, never addresses (RFC 6066)
        if settings.verifyPeer && settings.verifyHostname {
            if isAddress {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            } else {
                SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                SSL_set1_host(ssl, host)
            }
        }
        while true {
            ERR_clear_error()
            let result = Self.withoutSIGPIPE { SSL_connect(ssl) }
            if result == 1 { return TLSSession(ssl: ssl) }
            let problem = SSL_get_error(ssl, result)
            guard problem == SSL_ERROR_WANT_READ || problem == SSL_ERROR_WANT_WRITE else {
                let reason = handshakeFailure(ssl, problem, settings: settings, host: host)
                SSL_free(ssl)
                throw .connection("TLS handshake failed: \(reason)")
            }
            if !wait(descriptor, forReading: problem == SSL_ERROR_WANT_READ, until: deadline) {
                SSL_free(ssl)
                throw .connection("TLS handshake did not finish within the connect timeout: is the port a TLS port? "
                                  + "A plaintext Redis never answers a TLS hello (use redis:// for it)")
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// Sends a close_notify without waiting for the server's.
    func shutdown() {
        ERR_clear_error()
        _ = Self.withoutSIGPIPE { SSL_shutdown(ssl) }
    }

    /// Decrypted bytes held by OpenSSL that the socket no longer shows as readable.
    var hasBufferedBytes: Bool { SSL_pending(ssl) > 0 }

    enum Progress {
        case done(Int)
        /// Nothing now: wait for the socket (readable when `reading`, else writable) and try again.
        case wait(reading: Bool)
        case closed
        case failed(String)
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) -> Progress {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        return progress(count)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> Progress {
        ERR_clear_error()
        let count = Self.withoutSIGPIPE { SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max)))) }
        return progress(count)
    }

    /// OpenSSL writes to the socket with write(2), which raises SIGPIPE once the server has closed
    /// it: a program that does not ignore the signal (the CLI) would die without a word. The
    /// signal is blocked on this thread for the call and a pending one taken back, so the write
    /// fails with EPIPE and is reported (the plaintext socket sends with MSG_NOSIGNAL instead).
    private static func withoutSIGPIPE<T>(_ body: () -> T) -> T {
        var pipe = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipe, &previous)
        defer {
            if sigismember(&previous, SIGPIPE) == 0 {
                var pending = sigset_t()
                sigpending(&pending)
                if sigismember(&pending, SIGPIPE) == 1 {
                    var now = timespec()
                    _ = sigtimedwait(&pipe, nil, &now)
                }
                pthread_sigmask(SIG_SETMASK, &previous, nil)
            }
        }
        return body()
    }

    private func progress(_ count: Int32) -> Progress {
        if count > 0 { return .done(Int(count)) }
        let problem = SSL_get_error(ssl, count)
        switch problem {
        case SSL_ERROR_WANT_READ: return .wait(reading: true)
        case SSL_ERROR_WANT_WRITE: return .wait(reading: false)
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let code = errno
            let queued = Self.queuedErrors()
            if !queued.isEmpty { return .failed(Self.explained(queued)) }
            return code == 0 ? .closed : .failed(String(cString: strerror(code)))
        default:
            return .failed(Self.explained(Self.queuedErrors()))
        }
    }

    /// Waits until the socket is readable (or writable); false when the deadline passed first.
    static func wait(_ descriptor: Int32, forReading: Bool, until deadline: Double) -> Bool {
        while true {
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { return false }
            var entry = pollfd(fd: descriptor, events: Int16(forReading ? POLLIN : POLLOUT), revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }

    // MARK: - Setting up

    /// Loads the CA, certificate and key as a connection would, and frees them.
    static func validate(_ settings: RedisTLS) throws(RedisError) {
        SSL_CTX_free(try makeContext(settings))
    }

    private static func makeContext(_ settings: RedisTLS) throws(RedisError) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .connection("TLS: cannot create a context: \(queuedErrors())")
        }
        _ = petal_ssl_ctx_min_tls12(context)
        _ = petal_ssl_ctx_set_modes(context)
        func fail(_ message: String) -> RedisError {
            let detail = queuedErrors()
            SSL_CTX_free(context)
            return .connection("TLS: \(message)\(detail.isEmpty ? "" : " (\(detail))")")
        }
        if let caFile = settings.caFile {
            if SSL_CTX_load_verify_locations(context, caFile, nil) != 1 { throw fail("cannot load the CA file \(caFile)") }
        } else if SSL_CTX_set_default_verify_paths(context) != 1 {
            throw fail("cannot load the system's CA store")
        }
        if let certificate = settings.certificateFile {
            if SSL_CTX_use_certificate_chain_file(context, certificate) != 1 { throw fail("cannot load the client certificate \(certificate)") }
        }
        if let key = settings.keyFile {
            if SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1 { throw fail("cannot load the client key \(key)") }
            if SSL_CTX_check_private_key(context) != 1 { throw fail("the client key \(key) does not match the client certificate") }
        }
        SSL_CTX_set_verify(context, settings.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        return context
    }

    /// Why the handshake failed, in words an operator can act on.
    private static func handshakeFailure(_ ssl: OpaquePointer, _ problem: Int32, settings: RedisTLS, host: String) -> String {
        let verdict = SSL_get_verify_result(ssl)
        if settings.verifyPeer, verdict != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verdict))
            let trusted = settings.caFile.map { "the CA in \($0)" } ?? "the system's CA store"
            switch Int32(verdict) {
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                return "the server's certificate is not for \(host) (\(reason))"
            case X509_V_ERR_CERT_HAS_EXPIRED:
                return "the server's certificate has expired (\(reason))"
            case X509_V_ERR_CERT_NOT_YET_VALID:
                return "the server's certificate is not valid yet (\(reason))"
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                return "the server's certificate is not signed by \(trusted) (\(reason))"
            default:
                return "the server's certificate was refused: \(reason)"
            }
        }
        let code = errno
        let queued = queuedErrors()
        if problem == SSL_ERROR_SYSCALL, queued.isEmpty {
            return code == 0 ? "the server closed the connection" : String(cString: strerror(code))
        }
        return explained(queued)
    }

    /// OpenSSL's reasons with a hint for the ones that have a usual cause.
    private static func explained(_ reasons: String) -> String {
        if reasons.contains("wrong version number") || reasons.contains("packet length too long") {
            return "\(reasons): the server does not speak TLS on this port (use redis:// for a plaintext port)"
        }
        if reasons.contains("certificate required") || reasons.contains("handshake failure") && reasons.contains("alert") {
            return "\(reasons): the server wants a client certificate (--redis-tls-cert and --redis-tls-key)"
        }
        if reasons.contains("unknown ca") || reasons.contains("bad certificate") {
            return "\(reasons): the server does not trust the client certificate"
        }
        return reasons.isEmpty ? "the connection failed" : reasons
    }

    /// OpenSSL's error queue as reasons ("certificate verify failed"), emptied.
    static func queuedErrors() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) { reasons.append(String(cString: reason)) } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return reasons.joined(separator: "; ")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// Seconds on a clock that never jumps, for deadlines.
enum MonotonicClock {
    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
