/// How much one `/ws` socket may ask of the server at once. Over a limit the socket gets an
/// error reply (`too_many_calls`, `too_many_sockets`, `message_too_large`) and is then closed with
/// 1008 (policy).
public struct SocketLimits: Sendable {
    /// Calls not answered yet: the 17th at once is refused.
    public var callsInFlight: Int
    /// Bytes in one message, all its frames together.
    public var messageBytes: Int
    /// Sockets one visitor (one cookie) may have open at once: the 17th is refused.
    public var socketsPerVisitor: Int

    public init(callsInFlight: Int = 16, messageBytes: Int = 16_384, socketsPerVisitor: Int = 16) {
        self.callsInFlight = callsInFlight
        self.messageBytes = messageBytes
        self.socketsPerVisitor = socketsPerVisitor
    }
}
