import HTTPTypes
import Hummingbird
import Petal
import PetalRedis

/// Who reads an app's error pages. The monitor is an operator's tool: its pages name Redis's
/// URL and quote Redis's words. The greeter's visitors learn what happened and what to do, and
/// nothing about the servers behind it.
public enum ErrorAudience: Sendable, Equatable {
    case operators(redisURL: String)
    case visitors
}

/// What a failed request answers, worked out in one place for both web apps: a status, a heading
/// and a message safe to show the audience, headers the error brings (Allow, say), and whether
/// the page should try again by itself. A 500 never shows what went wrong, only that it did.
public struct ErrorReport: Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let heading: String
    public let message: String
    /// Redis is away or busy: the answer carries Retry-After and a page refreshes itself.
    public let retrying: Bool
    public let headers: HTTPFields
    /// A fault of ours (not the request's, not Redis being away): logged with the whole error.
    public let isFault: Bool

    public init(status: HTTPResponse.Status, message: String, audience: ErrorAudience, retrying: Bool = false, headers: HTTPFields = [:]) {
        self.status = status
        isFault = status == .internalServerError
        self.message = isFault ? Self.faultMessage : Self.printable(message)
        heading = Self.heading(status, audience)
        self.retrying = retrying
        self.headers = headers
    }

    public init(_ error: any Error, audience: ErrorAudience) {
        switch error {
        case let error as HTTPError:
            self.init(status: error.status, message: error.body ?? Self.defaultMessage(error.status), audience: audience, headers: error.headers)
        case let error as PetalError:
            self = Self.describing(error, audience)
        case let error as any HTTPResponseError:
            self.init(status: error.status, message: Self.defaultMessage(error.status), audience: audience)
        case is DecodingError:
            self.init(status: .badRequest, message: "The request could not be read.", audience: audience)
        default:
            self.init(status: .internalServerError, message: Self.faultMessage, audience: audience)
        }
    }

    static let faultMessage = "Something went wrong on our side; the log says what."

    /// Control characters a request carried (NUL, escapes) shown as U+FFFD: an HTML page or JSON
    /// reader is never handed bytes HTML forbids, and a terminal showing it is not steered.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control && $0 != "\n" ? "\u{FFFD}" : $0 }))
    }

    private static func describing(_ error: PetalError, _ audience: ErrorAudience) -> ErrorReport {
        let redisError: RedisError? = if case .redis(let redisError) = error { redisError } else { nil }
        switch (error, audience) {
        case (.jobNotFound(let id), _):
            return ErrorReport(status: .notFound, message: "There is no job with id \(id).", audience: audience)
        case (.invalidRequest(let message), _):
            return ErrorReport(status: .badRequest, message: message, audience: audience)
        case (_, .operators(let url)) where error.isRedisOutOfMemory:
            return ErrorReport(status: .insufficientStorage, message: "Redis at \(url) is out of memory, so nothing was written: \(error)", audience: audience)
        case (_, .visitors) where error.isRedisOutOfMemory:
            return ErrorReport(status: .insufficientStorage, message: "The job queue is full right now (\(error)); nothing was started. Please try again later.",
                               audience: audience)
        case (_, .operators(let url)) where redisError?.isAuthenticationFailure == true:
            return ErrorReport(status: .serviceUnavailable, message: "Redis at \(url) refused the monitor's credentials; check the password in the Redis URL. (\(error))",
                               audience: audience)
        case (_, .operators(let url)) where redisError?.isTransient == true:
            return ErrorReport(status: .serviceUnavailable, message: "Redis at \(url) is unreachable; retrying. (\(error))", audience: audience, retrying: true)
        case (_, .visitors) where redisError?.isTransient == true || redisError?.isAuthenticationFailure == true:
            // (Refused credentials will not mend themselves in 5 s: no Retry-After for those.)
            return ErrorReport(status: .serviceUnavailable, message: "The job queue is unreachable right now; please try again in a moment.",
                               audience: audience, retrying: redisError?.isTransient == true)
        default:
            return ErrorReport(status: .internalServerError, message: faultMessage, audience: audience)
        }
    }

    /// The message of an error that brought none.
    private static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        status == .notFound ? "There is nothing at this address." : status.reasonPhrase
    }

    private static func heading(_ status: HTTPResponse.Status, _ audience: ErrorAudience) -> String {
        switch status {
        case .badRequest: "Bad request"
        case .forbidden: "Refused"
        case .notFound: "Not found"
        case .methodNotAllowed: "Not allowed"
        case .contentTooLarge: "Too large"
        case .unsupportedMediaType, .notImplemented: "Not supported"
        case .serviceUnavailable: audience == .visitors ? "Try again soon" : "Redis is unreachable"
        case .insufficientStorage: audience == .visitors ? "Try again later" : "Redis is full"
        default: status.code >= 500 ? "Something went wrong" : status.reasonPhrase
        }
    }
}
