import HTTPTypes
import Hummingbird
import Logging
import Petal
import PetalWeb

/// Turns every error into an answer a person or a script can use: JSON `{"error": ...}` under
/// /api, an HTML page elsewhere. Redis being unreachable is a 503 that says so; a page then
/// refreshes itself, and the next request succeeds once Redis is back (the client reconnects).
struct MonitorErrorMiddleware: RouterMiddleware {
    typealias Context = MonitorRequestContext
    let renderer: PageRenderer
    let redisURL: String
    let apiPrefix: String

    struct ErrorPage: Sendable {
        let layout: Layout
        let status: Int
        let heading: String
        let message: String
        let retrying: Bool
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            return try answer(request, context, status: error.status, message: error.body ?? error.status.reasonPhrase)
        } catch let error as PetalError where error.isRedisOutOfMemory {
            context.logger.error("Redis is full: \(error)")
            return try answer(request, context, status: .insufficientStorage,
                              message: "Redis at \(redisURL) is out of memory, so nothing was written: \(error)")
        } catch let error as PetalError where Self.isAuthenticationFailure(error) {
            context.logger.error("Redis refused the credentials: \(error)")
            return try answer(request, context, status: .serviceUnavailable,
                              message: "Redis at \(redisURL) refused the monitor's credentials; check the password in the Redis URL. (\(error))")
        } catch let error as PetalError where error.isRedisUnavailable || Self.isRedisTrouble(error) {
            context.logger.warning("Redis unavailable: \(error)")
            return try answer(request, context, status: .serviceUnavailable,
                              message: "Redis at \(redisURL) is unreachable; retrying. (\(error))", retrying: true)
        } catch let error as PetalError {
            switch error {
            case .jobNotFound(let id): return try answer(request, context, status: .notFound, message: "No task with id \(id).")
            case .invalidRequest(let message): return try answer(request, context, status: .badRequest, message: message)
            default:
                context.logger.error("unexpected error: \(error)")
                return try answer(request, context, status: .internalServerError, message: "Something went wrong; the log says what.")
            }
        } catch {
            context.logger.error("unexpected error: \(error)")
            return try answer(request, context, status: .internalServerError, message: "Something went wrong; the log says what.")
        }
    }

    private static func isAuthenticationFailure(_ error: PetalError) -> Bool {
        if case .redis(let redisError) = error { return redisError.isAuthenticationFailure }
        return false
    }

    /// Redis answering LOADING or BUSY is as good as down for a page.
    private static func isRedisTrouble(_ error: PetalError) -> Bool {
        if case .redis(let redisError) = error { return redisError.isTransient || redisError.isConnectionError || redisError.isAuthenticationFailure }
        return false
    }

    private func answer(_ request: Request, _ context: Context, status: HTTPResponse.Status, message: String,
                        retrying: Bool = false) throws -> Response {
        if request.uri.path.hasPrefix(apiPrefix) || request.uri.path.hasSuffix("/metrics") {
            return JSONResponse.object(["error": .string(message)], status: status)
        }
        let heading = switch status {
        case .notFound: "Not found"
        case .badRequest: "Bad request"
        case .serviceUnavailable: "Redis is unreachable"
        case .insufficientStorage: "Redis is full"
        case .forbidden: "Refused"
        default: "Error"
        }
        let page = ErrorPage(layout: renderer.layout(request, context, title: heading, nav: ""), status: Int(status.code),
                             heading: heading, message: message, retrying: retrying)
        var response = try renderer.page(page, template: "monitor/error", status: status).response(from: request, context: context)
        if retrying { response.headers[.retryAfter] = "5" }
        return response
    }
}

// Mustache reads these views through key paths (see MustacheView).
extension MonitorErrorMiddleware.ErrorPage: MustacheView {
    static let mustacheKeys: [String: PartialKeyPath<Self> & Sendable] = [
        "layout": \.layout,
        "status": \.status,
        "heading": \.heading,
        "message": \.message,
        "retrying": \.retrying,
    ]
}
