import ArgumentParser
import Foundation
import MediaformCore
import MediaformKit

/// `--check-sources`, `--expiry-margin`, `--source-timeout`: pre-flight checks of sources on validate, plan, apply.
struct SourceCheckOptions: ParsableArguments {
    @Flag(
        help: """
            Before anything is sent, check each source that would be uploaded (validate: all of them): a signed URL \
            that expired (no request) or expires soon, then a HEAD (a one-byte GET when HEAD is refused, up to 5 \
            redirects) for a status other than 2xx, a type that is not audio or video, a length other than \
            fileSize, or an empty file. Findings are located at each asset's source. Without it, nothing touches \
            the network.
            """)
    var checkSources = false

    @Option(help: "With --check-sources: warn about signed URLs that expire within this time (e.g. 1h, 30m).")
    var expiryMargin = DurationArgument(.seconds(3600))

    @Option(help: "With --check-sources: the time each request may take.")
    var sourceTimeout = DurationArgument(.seconds(10))

    /// The checking to do, or nil without `--check-sources`.
    var checking: SourceChecking? {
        guard checkSources else { return nil }
        return SourceChecking(margin: Int64(expiryMargin.seconds), timeout: sourceTimeout.seconds)
    }

    /// Checks `assets`' sources with a progress line on stderr, prints the findings, and fails with exit 1 when any
    /// is an error. Does nothing without `--check-sources` (and then does not even collect the assets).
    func run(on assets: @autoclosure () -> [Asset], color: Bool) async throws {
        guard let checking else { return }
        let assets = assets()
        guard !assets.isEmpty else { return }
        let progress = Progress(format: .text, terminal: isatty(STDERR_FILENO) == 1)
        let diagnostics = await checking.check(assets) { progress.handle(.checkingSources(done: $0, total: $1)) }
        try Self.report(diagnostics, color: color)
    }

    /// Prints source findings; exit 1 when any is an error.
    static func report(_ diagnostics: [Diagnostic], color: Bool) throws {
        DiagnosticPrinter(color: color).print(diagnostics)
        let errors = diagnostics.filter { $0.severity == .error }.count
        if errors > 0 {
            Console.error("\(errors) source problem(s) found; nothing was sent")
            throw ExitCode.failure
        }
    }
}
