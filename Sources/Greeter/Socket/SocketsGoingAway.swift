import ServiceLifecycle

/// Waits for the process to be asked to stop, then has every open socket closed with 1001
/// (going away), waiting up to `within` for them to be gone, so a page knows to reconnect
/// elsewhere or later rather than take the close for the server's last word.
struct SocketsGoingAway: Service {
    let hub: GroupNoticeHub
    var within: Duration = .seconds(5)

    func run() async throws {
        do { try await gracefulShutdown() } catch { return }  // cancelled: nothing to close gracefully
        await hub.sendAway(within: within)
    }
}
