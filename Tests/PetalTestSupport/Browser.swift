import Foundation
import Petal
import PetalSystem

/// Headless Chromium driven over W3C WebDriver by Debian's chromedriver, which a test starts on a
/// free port and stops by pid. Every WebDriver request has a timeout, so a stuck browser fails the
/// test instead of hanging the suite.
public final class Browser: Sendable {
    private let driver: ChildProcess
    private let port: Int
    private let sessionID: String

    public init(width: Int = 1280, height: Int = 900) async throws {
        let port = try FreePort.find()
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromedriver else { throw TestSupportError("chromedriver is not installed (apt install chromium-driver; make test does it)") }
        driver = try Watchdog.spawn(chromedriver, arguments: ["--port=\(port)"], output: Glibc.open("/tmp/petal-chromedriver.log", O_WRONLY | O_CREAT | O_TRUNC, 0o644))
        self.port = port
        try await Eventually.wait("chromedriver listening", timeout: 20) {
            (try? await WireHTTP.exchange(port: port, method: "GET", path: "/status", body: nil, timeout: 2))?.status == 200
        }
        let capabilities: JSONValue = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "pageLoadStrategy": "eager",
            "goog:chromeOptions": [
                "binary": .string(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         .string("--window-size=\(width),\(height)")],
            ],
        ]]]
        do {
            let reply = try await Self.send(port, "POST", "/session", capabilities)
            guard let id = reply["value"]?["sessionId"]?.stringValue else { throw TestSupportError("no WebDriver session: \(reply)") }
            sessionID = id
        } catch {
            driver.stop(grace: 5)
            throw error
        }
    }

    /// Runs `body` with a fresh browser and always closes it afterwards.
    public static func session<T>(width: Int = 1280, height: Int = 900, _ body: (Browser) async throws -> T) async throws -> T {
        let browser = try await Browser(width: width, height: height)
        do {
            let result = try await body(browser)
            await browser.quit()
            return result
        } catch {
            await browser.quit()
            throw error
        }
    }

    /// Ends the browser session and stops chromedriver.
    public func quit() async {
        _ = try? await Self.send(port, "DELETE", "/session/\(sessionID)", nil)
        driver.stop(grace: 5)
    }

    public func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": .string(url)]) }

    public var currentURL: String { get async throws { try await command("GET", "/url", nil).stringValue ?? "" } }

    /// The text of the first element matching a CSS selector, or nil when there is none.
    public func text(_ selector: String) async throws -> String? {
        guard let element = try await element(selector) else { return nil }
        return try await command("GET", "/element/\(element)/text", nil).stringValue
    }

    /// A DOM property of the first element matching a CSS selector (a progress bar's `value`, say).
    public func property(_ selector: String, _ name: String) async throws -> JSONValue? {
        guard let element = try await element(selector) else { return nil }
        return try await command("GET", "/element/\(element)/property/\(name)", nil)
    }

    public func count(_ selector: String) async throws -> Int {
        try await command("POST", "/elements", ["using": "css selector", "value": .string(selector)]).arrayValue?.count ?? 0
    }

    public func type(_ selector: String, _ text: String) async throws {
        let element = try await required(selector)
        _ = try await command("POST", "/element/\(element)/clear", [:])
        _ = try await command("POST", "/element/\(element)/value", ["text": .string(text)])
    }

    public func click(_ selector: String) async throws {
        let element = try await required(selector)
        _ = try await command("POST", "/element/\(element)/click", [:])
    }

    /// Runs a script in the page and returns what it returns.
    @discardableResult
    public func run(_ script: String) async throws -> JSONValue {
        try await command("POST", "/execute/sync", ["script": .string(script), "args": []])
    }

    /// Opens a new tab and returns its handle (the current tab stays current: see `switchTo`).
    public func newTab() async throws -> String {
        guard let handle = try await command("POST", "/window/new", ["type": "tab"])["handle"]?.stringValue else {
            throw TestSupportError("no new tab")
        }
        return handle
    }

    /// The current tab's handle.
    public var tab: String { get async throws { try await command("GET", "/window", nil).stringValue ?? "" } }

    /// Makes the tab with `handle` the current one (commands then go to it).
    public func switchTo(_ handle: String) async throws { _ = try await command("POST", "/window", ["handle": .string(handle)]) }

    /// A cookie's value as the browser holds it, or nil.
    public func cookie(_ name: String) async throws -> String? {
        do { return try await command("GET", "/cookie/\(name)", nil)["value"]?.stringValue } catch { return nil }
    }

    /// A PNG of the viewport, written to `path`.
    public func screenshot(to path: String) async throws {
        guard let encoded = try await command("GET", "/screenshot", nil).stringValue, let data = Data(base64Encoded: encoded) else {
            throw TestSupportError("no screenshot")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func required(_ selector: String) async throws -> String {
        guard let element = try await element(selector) else { throw TestSupportError("no element matches \(selector)") }
        return element
    }

    private func element(_ selector: String) async throws -> String? {
        let found = try await command("POST", "/elements", ["using": "css selector", "value": .string(selector)])
        return found.arrayValue?.first?.objectValue?.values.first?.stringValue
    }

    private func command(_ method: String, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        try await Self.send(port, method, "/session/\(sessionID)" + path, body)["value"] ?? .null
    }

    private static func send(_ port: Int, _ method: String, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        let reply = try await WireHTTP.exchange(port: port, method: method, path: path, body: body?.jsonText, timeout: 60)
        let value = try JSONValue(parsing: reply.body)
        guard reply.status < 400 else {
            throw TestSupportError("WebDriver \(method) \(path): \(reply.status) \(value["value"]?["message"]?.stringValue ?? "")")
        }
        return value
    }
}
