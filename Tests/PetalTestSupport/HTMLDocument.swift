import CLibXML2
import Foundation

/// A page parsed with libxml2's HTML parser, queried with XPath.
public final class HTMLDocument {
    private let document: htmlDocPtr

    public init(_ html: String) throws {
        xmlInitParser()
        let options = Int32(HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_RECOVER.rawValue)
        let bytes = Array(html.utf8)
        guard let parsed = bytes.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                htmlReadMemory($0, Int32(bytes.count), "page.html", "UTF-8", options)
            }
        }) else { throw TestSupportError("libxml2 could not parse the page") }
        document = parsed
    }

    deinit { xmlFreeDoc(document) }

    /// The text content of every node the XPath selects.
    public func texts(_ xpath: String) -> [String] {
        guard let context = xmlXPathNewContext(document) else { return [] }
        defer { xmlXPathFreeContext(context) }
        guard let result = xmlXPathEvalExpression(xpath, context) else { return [] }
        defer { xmlXPathFreeObject(result) }
        if result.pointee.type == XPATH_STRING, let value = result.pointee.stringval {
            return [String(cString: value)]
        }
        guard let nodes = result.pointee.nodesetval, nodes.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(nodes.pointee.nodeNr)).compactMap { index in
            guard let node = nodes.pointee.nodeTab[index], let content = xmlNodeGetContent(node) else { return nil }
            defer { petal_xml_free(content) }
            return String(cString: content)
        }
    }

    /// The first selected node's text, trimmed.
    public func text(_ xpath: String) -> String? {
        texts(xpath).first?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func count(_ xpath: String) -> Int { texts(xpath).count }

    /// Every attribute of each element the XPath selects (a form's action and method, an input's
    /// name, type and value), in document order.
    public func elements(_ xpath: String) -> [[String: String]] {
        guard let context = xmlXPathNewContext(document) else { return [] }
        defer { xmlXPathFreeContext(context) }
        guard let result = xmlXPathEvalExpression(xpath, context) else { return [] }
        defer { xmlXPathFreeObject(result) }
        guard let nodes = result.pointee.nodesetval, nodes.pointee.nodeNr > 0 else { return [] }
        return (0..<Int(nodes.pointee.nodeNr)).compactMap { index in
            guard let node = nodes.pointee.nodeTab[index] else { return nil }
            var attributes: [String: String] = [:]
            var property = node.pointee.properties
            while let current = property {
                let name = String(cString: current.pointee.name)
                if let value = xmlGetProp(node, current.pointee.name) {
                    attributes[name] = String(cString: value)
                    petal_xml_free(value)
                }
                property = current.pointee.next
            }
            return attributes
        }
    }
}
