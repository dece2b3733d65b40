import Foundation
import MediaformCore

/// `--check-sources` for a set of assets: the signature's expiry first (no request for an expired URL), then one
/// probe per remaining source (`SourceProber`), as diagnostics located at each asset's `source:` value, in the
/// assets' order.
public struct SourceChecking: Sendable {
    /// Warn about signed URLs that expire within this many seconds (`--expiry-margin`).
    public var margin: Int64
    /// Seconds for each request (`--source-timeout`).
    public var timeout: Double

    public init(margin: Int64 = 3600, timeout: Double = 10) {
        self.margin = margin
        self.timeout = timeout
    }

    /// Checks the sources of `assets`; `progress` gets the probes done and their total.
    public func check(
        _ assets: [Asset], now: Int64 = Int64(Date().timeIntervalSince1970),
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async -> [Diagnostic] {
        var early: [[Diagnostic]] = []
        var toProbe: [String] = []
        for asset in assets {
            let (diagnostics, probe) = SourceCheck.beforeRequest(asset, now: now, margin: margin)
            early.append(diagnostics)
            // An oss:// object can only be read with the bucket's credentials: registration checks it.
            if probe && !asset.registersInPlace { toProbe.append(asset.source) }
        }
        let prober = SourceProber(timeout: timeout)
        let probes = await prober.probe(toProbe, progress: progress)
        await prober.shutdown()
        var diagnostics: [Diagnostic] = []
        for (asset, before) in zip(assets, early) {
            diagnostics += before
            if let probe = probes[asset.source] { diagnostics += SourceCheck.findings(asset, probe: probe) }
        }
        return diagnostics
    }

    /// The assets a plan would upload: creates, replacements and retries.
    public static func uploads(of plan: Plan) -> [Asset] {
        plan.creatingAssets
    }
}
