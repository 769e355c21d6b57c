import Hummingbird
import Logging
import Petal
import ServiceLifecycle

/// The `greeter web` process: the app until SIGTERM or SIGINT, and then, before the server
/// stops, its WebSockets closed with 1001 (going away) by `SocketsGoingAway`. Services stop in
/// the reverse of their order, each after the one before has finished, so the sockets are
/// closed while the server still runs; left to the server, they would be closed with 1000.
public func runGreeterWeb(configuration: GreeterConfiguration, client: PetalClient,
                          logger: Logger = Logger(label: "greeter.web")) async throws {
    let hub = GroupNoticeHub(client: client)
    let app = try await buildGreeterApplication(configuration: configuration, client: client, hub: hub, logger: logger)
    let services = ServiceGroup(configuration: .init(services: [app, SocketsGoingAway(hub: hub)],
                                                     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await services.run()
}
