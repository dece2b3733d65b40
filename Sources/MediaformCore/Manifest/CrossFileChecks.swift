import Dispatch
import Synchronization

/// Checks across every manifest file of a project: keys and sources must be unique project-wide.
public enum CrossFileChecks {
    /// Duplicate keys and duplicate sources across all files.
    ///
    /// Two assets with one source would make the upload jobs indistinguishable when apply looks them up by URL
    /// after a crash, so a source may appear once.
    public static func problems(_ assets: [Asset]) -> [Diagnostic] {
        // Normalizing is per asset, so it runs on every core; the two checks are independent, so each has a core
        // (the diagnostics are sorted by location afterwards, so the order they are found in does not matter).
        let sources = ParallelChunks.map(count: assets.count, size: 8192) { normalizedSource(assets[$0].source) }
        let found = Mutex<[[Diagnostic]]>([[], []])
        DispatchQueue.concurrentPerform(iterations: 2) { check in
            let diagnostics = check == 0 ? duplicateKeys(assets) : duplicateSources(assets, normalized: sources)
            found.withLock { $0[check] = diagnostics }
        }
        return found.withLock { $0[0] + $0[1] }
    }

    static func duplicateKeys(_ assets: [Asset]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var byKey: [String: SourceLocation] = [:]
        byKey.reserveCapacity(assets.count)
        for asset in assets {
            if let first = byKey[asset.key] {
                diagnostics.append(
                    .error("duplicate asset key '\(asset.key)' (first declared at \(first))", at: asset.location))
            } else {
                byKey[asset.key] = asset.location
            }
        }
        return diagnostics
    }

    /// Located at the duplicate `source:` value, citing the first one's.
    static func duplicateSources(_ assets: [Asset], normalized: [String]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var bySource: [String: (key: String, location: SourceLocation)] = [:]
        bySource.reserveCapacity(assets.count)
        for (asset, source) in zip(assets, normalized) {
            let at = asset.sourceLocation ?? asset.location
            if let first = bySource[source] {
                diagnostics.append(
                    .error(
                        "asset '\(asset.key)' has the same source as asset '\(first.key)' (its source is at "
                            + "\(first.location)); each source may be uploaded once",
                        at: at))
            } else {
                bySource[source] = (asset.key, at)
            }
        }
        return diagnostics
    }

    /// The source for duplicate detection: redacted (signatures differ between signings), scheme and host lower-cased.
    public static func normalizedSource(_ source: String) -> String {
        let redacted = URLRedaction.redact(source)
        let u = redacted.utf8
        guard let schemeLength = AssetValidator.httpSchemeLength(redacted) else { return redacted }
        let rest = u.dropFirst(schemeLength)
        let hostEnd =
            rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? rest.endIndex
        let authority = u[..<hostEnd]
        if authority.allSatisfy({ !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) { return redacted }
        return String(decoding: authority, as: UTF8.self).lowercased() + String(decoding: u[hostEnd...], as: UTF8.self)
    }
}
