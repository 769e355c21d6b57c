import Mustache
import PetalWeb
import Testing

@Suite("Templates")
struct TemplatesTests {
    /// The byte-level escaper must give exactly what swift-mustache's own HTML escaping gives.
    @Test func utf8EscapingMatchesMustacheHTMLEscaping() throws {
        let samples = ["plain", "", "<script>alert('x')</script>", "a & b > c \"quoted\"", "ünïcödé 😀 <b>", "&amp;", "'''", "tab\there"]
        MustacheContentTypes.register(UTF8HTMLEscaping(), named: Templates.contentTypeName)
        let fast = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(Templates.contentTypeName)}}{{value}}")
        let standard = try MustacheTemplate(string: "{{value}}")
        for sample in samples {
            let escaped = fast.render(["value": sample])
            #expect(escaped == standard.render(["value": sample]), "\(sample)")
            #expect(!escaped.contains("<") && !escaped.contains("\""))
        }
        #expect(UTF8HTMLEscaping().escapeText("<a href='x'>") == "&lt;a href=&#39;x&#39;&gt;")
    }

    @Test func loadedTemplatesEscapeWithIt() async throws {
        let library = try await Templates.load(directory: ResourceDirectory.find("Templates"))
        let row = try #require(library.render(["name": "<b>&'"], withTemplate: "monitor/worker_row"))
        #expect(row.contains("<tr data-worker=\"&lt;b&gt;&amp;&#39;\">"))
    }
}
