import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// The greeter's HTTP/1 connections: hummingbird-websocket's upgrade channel with one handler in
/// front of NIO's upgrader. NIO meets a WebSocket upgrade without one `Sec-WebSocket-Key`, or
/// with a `Sec-WebSocket-Version` other than 13, by closing the connection without a word; the
/// handler (`MalformedUpgradeScreen`) turns such a request into a plain GET, marked, so the page
/// router's `/ws` route answers it: 426 naming version 13, or 400 (RFC 6455 4.2.1, 4.4).
struct ScreenedUpgradeChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value
    let upgrade: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        upgrade.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let upgrader = try channel.pipeline.syncOperations
                .context(handlerType: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
            try channel.pipeline.syncOperations.addHandler(MalformedUpgradeScreen(), position: .before(upgrader.handler))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await upgrade.handle(value: value, logger: logger)
    }
}

/// Looks at a connection's first request (the only one NIO's upgrader looks at) and leaves.
final class MalformedUpgradeScreen: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// Set on a malformed upgrade, for the `/ws` route: `version` (not 13) or `headers`. (Sent by
    /// a client itself, it only earns that client a 400 or 426.)
    static let marker = "Greeter-Malformed-Upgrade"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: Self.marker)
        if let problem = Self.problem(head.headers) {
            head.headers.remove(name: "Upgrade")
            head.headers.add(name: Self.marker, value: problem)
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// What is wrong with a WebSocket upgrade, nil when it is sound or not an upgrade at all.
    static func problem(_ headers: HTTPHeaders) -> String? {
        guard headers[canonicalForm: "Upgrade"].contains(where: { $0.lowercased() == "websocket" }) else { return nil }
        let versions = headers[canonicalForm: "Sec-WebSocket-Version"]
        if versions.count == 1, versions[0] != "13" { return "version" }
        guard versions.count == 1, headers[canonicalForm: "Sec-WebSocket-Key"].count == 1,
              headers[canonicalForm: "Connection"].contains(where: { $0.lowercased() == "upgrade" }) else { return "headers" }
        return nil
    }
}
