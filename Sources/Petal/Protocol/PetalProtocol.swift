/// Constants of the protocol on the Swift side. The library's own (the event stream's cap, the
/// dead-letter and revoked caps, counter lifetimes) are at the top of `Lua/prelude.lua`.
public enum PetalProtocol {
    /// Petal's version, as workers announce it in their heartbeat.
    public static let petalVersion = "0.1.0"
}
