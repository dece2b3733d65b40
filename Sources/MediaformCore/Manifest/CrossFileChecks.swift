/// Checks across every manifest file of a project: keys and sources must be unique project-wide.
public enum CrossFileChecks {
    /// Duplicate keys and duplicate sources across all files.
    ///
    /// Two assets with one source would make the upload jobs indistinguishable when apply looks them up by URL
    /// after a crash, so a source may appear once.
    public static func problems(_ assets: [Asset]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var byKey: [String: SourceLocation] = [:]
        var bySource: [String: (key: String, location: SourceLocation)] = [:]
        byKey.reserveCapacity(assets.count)
        bySource.reserveCapacity(assets.count)
        for asset in assets {
            if let first = byKey[asset.key] {
                diagnostics.append(
                    .error("duplicate asset key '\(asset.key)' (first declared at \(first))", at: asset.location))
            } else {
                byKey[asset.key] = asset.location
            }
            // Located at the duplicate `source:` value, citing the first one's.
            let source = normalizedSource(asset.source)
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
