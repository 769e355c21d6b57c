import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Petal
import PetalWeb

/// `GET /ws`: the greeter's one WebSocket, for calls and live job notices (docs/API.md).
///
/// The upgrade is decided on a router of its own (WebSocket upgrades need a WebSocket request
/// context; the pages keep theirs). A refused upgrade gets hummingbird-websocket's 400 and a
/// closed connection; a plain GET of `/ws`, or a malformed upgrade, reaches the page router,
/// which says why there is no socket: 400 or 426 for a malformed upgrade, 403 for another origin
/// or no visitor cookie, else 426.
struct SocketController: Sendable {
    let client: PetalClient
    let cookies: VisitorCookie
    let queue: String
    let hub: GroupNoticeHub
    let records: JobRecordBatcher
    let limits: SocketSession.Limits

    /// The socket's own router: allowed hosts, then the upgrade.
    func webSocketRouter(allowedHosts: AllowedHosts) -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: AllowedHostsMiddleware(hosts: allowedHosts))
        router.ws("/ws", shouldUpgrade: { request, _ in
            refusal(request) == nil ? .upgrade([:]) : .dontUpgrade
        }, onUpgrade: { inbound, outbound, context in
            // (shouldUpgrade checked the cookie; a request without one never gets here.)
            let visitor = cookies.visitor(of: context.request).id
            let session = SocketSession(functions: SocketFunctions(client: client, records: records, waiters: hub.waiters, queue: queue, visitor: visitor),
                                        hub: hub, limits: limits, logger: context.logger)
            try await session.run(inbound: inbound, outbound: outbound)
        })
        return router
    }

    /// What the page router answers for a `/ws` request that was not upgraded: a malformed
    /// upgrade (see `ScreenedUpgradeChannel`) is 426 for another version, else 400; a plain GET is
    /// 403 when it could not have been upgraded, else 426. A 426 names the upgrade it wants (RFC 9110).
    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/ws") { request, _ -> Response in
            let wanted: HTTPFields = [.upgrade: "websocket", .secWebSocketVersion: "13"]
            switch request.headers[HTTPField.Name(MalformedUpgradeScreen.marker)!] {
            case "version"?:
                throw HTTPError(.upgradeRequired, headers: wanted, message: "This server speaks WebSocket version 13 only (Sec-WebSocket-Version: 13).")
            case _?:
                throw HTTPError(.badRequest, message: "A WebSocket upgrade needs Connection: Upgrade, one Sec-WebSocket-Key and Sec-WebSocket-Version: 13.")
            case nil:
                if let refusal = refusal(request) { throw HTTPError(.forbidden, message: refusal) }
                throw HTTPError(.upgradeRequired, headers: wanted, message: "/ws is a WebSocket: open it with new WebSocket(\"/ws\").")
            }
        }
    }

    /// Cross-site WebSocket hijacking: a browser sends its cookies with a WebSocket to any site,
    /// and CORS does not apply, so the Origin is checked here as `SameOrigin` does for POSTs. The
    /// socket is the visitor's own: without a valid cookie (every page sets one) there is none.
    func refusal(_ request: Request) -> String? {
        if let refusal = SameOrigin.refusal(request) { return refusal }
        if cookies.visitor(of: request).isNew { return "Open a page of the greeter first: it gives you your visitor cookie." }
        return nil
    }
}
