import Foundation

/// Debian's `chromium`, headless, for tests of the HTML plan page (the test command installs it when missing).
public struct HeadlessBrowser: Sendable {
    public let executable: String

    /// The browser, or nil when none is installed.
    public static func find() -> HeadlessBrowser? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return HeadlessBrowser(executable: path)
        }
        return nil
    }

    /// Flags that keep the browser to the page: no sandbox (tests may run as root), no GPU, and none of the
    /// background requests a browser makes on its own (only the page's own requests, to loopback, go out).
    private static let flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--no-pings", "--disable-domain-reliability", "--mute-audio",
        "--virtual-time-budget=5000", "--window-size=1280,4000",
    ]

    /// The DOM after the page's script ran, and the seconds the browser took (start to exit).
    public func dumpDOM(_ url: URL) async throws -> (dom: String, seconds: Double) {
        try await run(Self.flags + ["--dump-dom", url.absoluteString])
    }

    /// A PNG of the page at `width`×`height`.
    public func screenshot(_ url: URL, to file: URL, width: Int = 1280, height: Int = 1000) async throws {
        _ = try await run(
            Self.flags.filter { !$0.hasPrefix("--window-size") }
                + ["--screenshot=\(file.path)", "--window-size=\(width),\(height)", url.absoluteString])
    }

    private func run(_ arguments: [String]) async throws -> (dom: String, seconds: Double) {
        let executable = self.executable
        return try await CommandRunner.onOwnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            let started = Date()
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (String(decoding: data, as: UTF8.self), Date().timeIntervalSince(started))
        }
    }
}
