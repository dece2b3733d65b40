/// `state rebuild`: the state proposed for a project whose state was lost, from the library as listed.
///
/// Each media is matched to the manifest asset whose source it was uploaded from: its `InputURL` and the asset's
/// source compared without signed query, percent-encoding, scheme or host case (`CrossFileChecks.normalizedSource`).
/// Several media for one source (uploaded twice, by hand or by a tool that lost its state) are never merged: the
/// one carrying mediaform's marker wins, then the newest, and the others are listed for the user to decide.
public struct StateRebuild: Sendable {
    /// One asset matched to the library.
    public struct Match: Sendable, Equatable {
        public var key: String
        public var chosen: RemoteMedia
        /// The other media uploaded from the same source, newest first: left alone, listed.
        public var others: [RemoteMedia]
    }

    /// The records to write, by key.
    public var records: [String: AssetRecord]
    /// Every match, by key (byte order).
    public var matches: [Match]
    /// Manifest keys no media was found for: the next plan uploads them.
    public var unmatchedKeys: [String]
    /// Media whose source is in no manifest (candidates for `import --all`).
    public var unmatchedMedia: Int

    /// Matches `library` to `assets`.
    public static func propose(assets: [Asset], library: [RemoteMedia], appId: String, time: String) -> StateRebuild {
        var bySource: [String: [RemoteMedia]] = [:]
        for media in library {
            guard let url = media.inputURL else { continue }
            bySource[normalized(url), default: []].append(media)
        }
        var records: [String: AssetRecord] = [:]
        var matches: [Match] = []
        var unmatchedKeys: [String] = []
        var used = 0
        for asset in assets.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            guard let candidates = bySource[normalized(asset.source)], !candidates.isEmpty else {
                unmatchedKeys.append(asset.key)
                continue
            }
            let ranked = candidates.sorted(by: preferred)
            used += ranked.count
            records[asset.key] = AssetRecord(adopting: asset, remote: ranked[0], appId: appId, time: time)
            matches.append(Match(key: asset.key, chosen: ranked[0], others: Array(ranked.dropFirst())))
        }
        let withSource = library.filter { $0.inputURL != nil }.count
        return StateRebuild(
            records: records, matches: matches, unmatchedKeys: unmatchedKeys,
            unmatchedMedia: library.count - withSource + max(0, withSource - used))
    }

    /// The marked media first, then the newest (`CreateTime`, ISO 8601 compares as text), then by ID.
    static func preferred(_ a: RemoteMedia, _ b: RemoteMedia) -> Bool {
        if a.marked != b.marked { return a.marked }
        if a.createTime != b.createTime { return (a.createTime ?? "") > (b.createTime ?? "") }
        return a.mediaId < b.mediaId
    }

    /// A source or `InputURL` as compared: percent-decoded once, then normalized.
    static func normalized(_ url: String) -> String {
        CrossFileChecks.normalizedSource(PercentEncoding.decode(Substring(url), plusAsSpace: false) ?? url)
    }

    /// What would be recorded, for people: one line per match, duplicates indented under it, then the counts.
    public var report: String {
        var out = ""
        for match in matches {
            out += "\(match.key)\t\(match.chosen.mediaId)\t\(match.chosen.status.rawValue)"
            out += match.chosen.marked ? "\tuploaded by mediaform\n" : "\n"
            for other in match.others {
                out += "  also from this source, left alone: \(other.mediaId) (created \(other.createTime ?? "?"))\n"
            }
        }
        let duplicates = matches.filter { !$0.others.isEmpty }.count
        out += "\n\(matches.count) asset(s) matched to media"
        if duplicates > 0 { out += " (\(duplicates) with several media for one source: the listed ones are kept)" }
        out += "; \(unmatchedKeys.count) not found in the library (the next plan uploads them)"
        out += "; \(unmatchedMedia) media match no manifest source.\n"
        return out
    }
}
