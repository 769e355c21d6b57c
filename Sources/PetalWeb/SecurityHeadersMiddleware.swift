import HTTPTypes
import Hummingbird

/// Headers on every answer of both web apps, pages, JSON, static files and errors alike: the
/// Content-Security-Policy and `nosniff` through Hummingbird's `ContentSecurityMiddleware`, and
/// beside them no framing, no referrer leaking task ids to other sites, and no caching of job
/// data unless the answer says otherwise. Added first, so it wraps every other middleware.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Scripts and styles only from files under /static (no inline script or style), images also
    /// as data: URLs (the charts), forms only to this server, and no page inside another's frame.
    public static var contentSecurityPolicy: ContentSecurityPolicy {
        [.defaultSrc(.self), .scriptSrc(.self), .styleSrc(.self), .imgSrc(.self, "data:"), .formAction(.self),
         .frameAncestors(.none), .baseURI(.self)]
    }

    private let contentSecurity = ContentSecurityMiddleware<Context>(contentSecurityPolicy: Self.contentSecurityPolicy)

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await contentSecurity.handle(request, context: context, next: next)
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
