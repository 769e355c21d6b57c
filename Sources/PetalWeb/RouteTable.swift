import HTTPTypes
import Hummingbird
import Synchronization

/// Which methods each route pattern answers, recorded while routes are added, so a request for a
/// known path with the wrong method gets 405 and an `Allow` header instead of a 404.
public final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    public init() {}

    func add(_ path: String, method: HTTPRequest.Method) {
        let segments = path.split(separator: "/")
        routes.withLock { $0.append((segments, method)) }
    }

    /// The methods routed for `path` (HEAD wherever GET is), empty when no pattern matches it.
    public func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        var methods: [HTTPRequest.Method] = []
        routes.withLock { routes in
            for route in routes where Self.matches(route.segments, segments) && !methods.contains(route.method) {
                methods.append(route.method)
            }
        }
        if methods.contains(.get), !methods.contains(.head) { methods.append(.head) }
        return methods
    }

    private static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        var index = 0
        for part in pattern {
            if part == "**" { return true }
            guard index < segments.count else { return false }
            let variable = part.hasPrefix(":") || part.hasPrefix("{") || part == "*"
            if !variable && part != segments[index] { return false }
            index += 1
        }
        return index == segments.count
    }
}

/// Adds routes to `base` and notes each in a `RouteTable`. Controllers take `some RouterMethods`,
/// so they add routes through this without knowing.
public struct RouteRecorder<Base: RouterMethods>: RouterMethods {
    public typealias Context = Base.Context
    let base: Base
    let table: RouteTable
    /// The group's path (a URL prefix such as "/monitor"), which requests carry and routes do not.
    let prefix: String

    public init(_ base: Base, table: RouteTable, prefix: String = "") {
        self.base = base
        self.table = table
        self.prefix = prefix
    }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
        where Responder.Context == Context {
        base.on(path, method: method, responder: responder)
        table.add(prefix + "/" + path.description, method: method)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        _ = base.add(middleware: middleware)
        return self
    }
}

/// 405 with `Allow` for a path that is routed, but not for this method.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    public init(table: RouteTable) { self.table = table }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let methods = table.methods(for: request.uri.path)
        if !methods.isEmpty, !methods.contains(request.method) {
            var headers = HTTPFields()
            headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .methodNotAllowed, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: "\(request.method.rawValue) is not allowed here; use \(headers[.allow] ?? "")\n")))
        }
        return try await next(request, context)
    }
}
