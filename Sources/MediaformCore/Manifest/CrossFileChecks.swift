/// Checks across every manifest file of a project: keys and sources must be unique project-wide.
public enum CrossFileChecks {
    /// Duplicate keys and duplicate sources across all files.
    ///
    /// Two assets with one source would make the upload jobs indistinguishable when apply looks them up by URL
    /// after a crash, so a source may appear once.
    public static func problems(_ assets: [Asset]) -> [Diagnostic] {
        // Hashing (and normalizing each source) is per asset, so it runs on every core; finding the repeats is then
        // a pass over the hashes (`RepeatFinder`). Equal hashes are confirmed by comparing the values themselves.
        let hashes = ParallelChunks.map(count: assets.count, size: 8192) { i in
            (key: assets[i].key.hashValue, source: normalizedSource(assets[i].source).hashValue)
        }
        return duplicateKeys(assets, hashes: hashes.map(\.key))
            + duplicateSources(assets, hashes: hashes.map(\.source))
    }

    /// Located at the repeated key's asset, citing the first one's.
    static func duplicateKeys(_ assets: [Asset], hashes: [Int]) -> [Diagnostic] {
        RepeatFinder.repeats(hashes: hashes) { assets[$0].key == assets[$1].key }.map { repeated in
            let (asset, first) = (assets[repeated.index], assets[repeated.first])
            return .error(
                "duplicate asset key '\(asset.key)' (first declared at \(first.location))", at: asset.location)
        }
    }

    /// Located at the duplicate `source:` value, citing the first one's.
    static func duplicateSources(_ assets: [Asset], hashes: [Int]) -> [Diagnostic] {
        let same = { (a: Int, b: Int) in
            normalizedSource(assets[a].source) == normalizedSource(assets[b].source)
        }
        return RepeatFinder.repeats(hashes: hashes, same: same).map { repeated in
            let (asset, first) = (assets[repeated.index], assets[repeated.first])
            return .error(
                "asset '\(asset.key)' has the same source as asset '\(first.key)' (its source is at "
                    + "\(first.sourceLocation ?? first.location)); each source may be uploaded once",
                at: asset.sourceLocation ?? asset.location)
        }
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
