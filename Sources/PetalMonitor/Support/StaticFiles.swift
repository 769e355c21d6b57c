import Foundation
import HTTPTypes
import Hummingbird
import PetalWeb

/// The monitor's few static files, read once at start and served from memory under
/// `{prefix}/static/`, so they follow --url-prefix like every page.
struct StaticFiles: Sendable {
    let files: [String: (type: String, body: ByteBuffer)]

    init(directory: String, names: [String]) throws {
        var files: [String: (String, ByteBuffer)] = [:]
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "application/octet-stream"
            files[name] = (type, ByteBuffer(bytes: data))
        }
        self.files = files
    }

    func addRoutes(to router: some RouterMethods<MonitorRequestContext>) {
        let files = self.files
        router.get("/static/:file") { _, context -> Response in
            let name = try context.parameters.decoded("file")
            guard let file = files[name] else { throw HTTPError(.notFound, message: "No file \(name).") }
            var headers = HTTPFields()
            headers[.contentType] = file.type
            headers[.cacheControl] = "public, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
        }
    }
}
