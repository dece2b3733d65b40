import Foundation

/// `import --all`: a manifest file written from the library, for every media not yet managed, and the records that
/// adopt them (what Terraform's `-generate-config-out` attempts, done whole).
///
/// The file is made to validate and to plan "No changes" once the records are written:
/// - a value the manifest language rejects (an emoji in a title, a tag with a comma) is written in an accepted
///   form, the field is listed in `ignoreChanges` (so the library's value is kept), and a comment says why;
/// - a field that the project's `defaults` would change (an extra tag, a default category) is listed in
///   `ignoreChanges` too, with a comment: delete the line to let the defaults apply.
public struct LibraryImport: Sendable {
    /// Which media to take.
    public struct Filter: Sendable, Equatable {
        /// `MediaBasicInfo.Status` values (`Normal`, `PrepareFail`, …), compared case-insensitively; empty: all.
        public var statuses: [String]
        /// Media types (`video`, `audio`); empty: all.
        public var mediaTypes: [String]
        /// Category IDs; empty: all.
        public var categories: [Int64]

        public init(statuses: [String] = [], mediaTypes: [String] = [], categories: [Int64] = []) {
            self.statuses = statuses
            self.mediaTypes = mediaTypes
            self.categories = categories
        }

        func accepts(_ media: RemoteMedia) -> Bool {
            (statuses.isEmpty
                || statuses.contains { $0.lowercased() == (media.statusText ?? media.status.rawValue).lowercased() })
                && (mediaTypes.isEmpty || mediaTypes.contains { $0.lowercased() == media.mediaType?.lowercased() })
                && (categories.isEmpty || media.category.map(categories.contains) == true)
        }
    }

    /// The manifest file's text.
    public var text: String
    /// The imported assets, as the file declares them (defaults applied), with the media each adopts.
    public var imported: [(asset: Asset, media: RemoteMedia)]
    /// Media left out, with why ("already managed", "matches the source of manifest asset 'x'", …), by media ID.
    public var skipped: [(mediaId: String, reason: String)]

    /// Builds the file for `library`'s media that neither the state (by media ID) nor the manifests (by source)
    /// know, and that `filter` accepts.
    /// - Parameters:
    ///   - file: the path the text will be written to (diagnostics of the check name it).
    ///   - defaults: the project's `defaults`, applied as `plan` will apply them.
    ///   - categories: the project's `categories:`; a media in one of them (by the `CateId` the state records) is
    ///     written with the category's path, not its number.
    public static func make(
        library: [RemoteMedia], state: State, assets: [Asset], filter: Filter, defaults: AssetFields?, file: String,
        defaultsFile: String = Project.fileName, categories: [String] = []
    ) -> LibraryImport {
        var paths: [Int64: String] = [:]
        for path in categories {
            if let record = state.categories[path], !record.missing { paths[record.id] = path }
        }
        let managed = Set(state.assets.values.compactMap(\.mediaId))
        let sources = Dictionary(
            assets.map { (StateRebuild.normalized($0.source), $0.key) }, uniquingKeysWith: { first, _ in first })
        var taken = Set(assets.map(\.key)).union(state.assets.keys)
        var skipped: [(String, String)] = []
        var entries: [Entry] = []
        let ordered = library.sorted {
            ($0.inputURL ?? "", $0.createTime ?? "", $0.mediaId) < ($1.inputURL ?? "", $1.createTime ?? "", $1.mediaId)
        }
        for media in ordered where filter.accepts(media) {
            if managed.contains(media.mediaId) {
                skipped.append((media.mediaId, "already in the state"))
                continue
            }
            guard let url = media.inputURL, !url.isEmpty else {
                skipped.append((media.mediaId, "no InputURL: its source is unknown"))
                continue
            }
            if let key = sources[StateRebuild.normalized(url)] {
                skipped.append(
                    (media.mediaId, "its source is manifest asset '\(key)''s: adopt it with 'mediaform state rebuild'"))
                continue
            }
            let key = uniqueKey(for: url, taken: &taken)
            var entry = Entry(key: key, media: media)
            entry.categoryPath = media.category.flatMap { paths[$0] }
            entries.append(entry)
        }

        // Written, checked against the manifest language and the defaults, mended, and checked again: what is
        // still rejected then (a source the manifests cannot hold) is left out.
        for (i, problems) in check(
            entries, defaults: defaults, file: file, defaultsFile: defaultsFile, categories: state.categories)
        {
            entries[i].adjust(problems)
        }
        let unresolved = check(
            entries, defaults: defaults, file: file, defaultsFile: defaultsFile, categories: state.categories)
        var kept: [Entry] = []
        for (i, entry) in entries.enumerated() {
            if let problems = unresolved[i], !problems.rejected.isEmpty {
                skipped.append((entry.media.mediaId, problems.rejected.map(\.message).joined(separator: "; ")))
            } else {
                kept.append(entry)
            }
        }
        entries = kept
        let text = render(entries)
        let parsed = ManifestParser.parseAssets(text, file: file, defaults: defaults, defaultsFile: defaultsFile)
        // Category paths given the IDs the state records, as `plan` will resolve them.
        let resolved = CategoryPlanner.resolve(parsed.assets, categories: state.categories)
        return LibraryImport(
            text: text, imported: zip(resolved, entries.map(\.media)).map { ($0, $1) },
            skipped: skipped.sorted { $0.0 < $1.0 })
    }

    /// "example.com/videos/a.mp4" → "videos/a.mp4" (the path of the URL), made unique with "-2", "-3".
    static func uniqueKey(for url: String, taken: inout Set<String>) -> String {
        let full = AssetValidator.defaultKey(for: url)
        var base = full.firstIndex(of: "/").map { String(full[full.index(after: $0)...]) } ?? full
        if base.isEmpty { base = full }
        var key = base
        var n = 2
        while taken.contains(key) {
            key = "\(base)-\(n)"
            n += 1
        }
        taken.insert(key)
        return key
    }

    // MARK: - Writing and checking

    /// One media as a manifest entry: what is written, and what is left to the console.
    struct Entry {
        var key: String
        var media: RemoteMedia
        var title: String
        var description: String?
        var tags: [String]
        var cover: String?
        /// The path of the media's category, when the project declares it.
        var categoryPath: String?
        var ignored: ManagedFields = []
        var comments: [String] = []

        init(key: String, media: RemoteMedia) {
            self.key = key
            self.media = media
            let title = media.title ?? ""
            self.title = title.isEmpty ? "Untitled \(media.mediaId)" : title
            if title.isEmpty {
                ignored.insert(.title)
                comments.append("IMS has no title for this media; this one is a placeholder")
            }
            self.description = media.description.flatMap { $0.isEmpty ? nil : $0 }
            self.tags = media.tags
            self.cover = media.cover.flatMap { $0.isEmpty ? nil : URLRedaction.redact($0) }
        }

        /// Takes `problems` into account: rejected values replaced or dropped, fields the defaults change ignored.
        mutating func adjust(_ problems: Problems) {
            for (field, message) in problems.rejected {
                // Problems outside the managed fields (the source) cannot be mended here: the entry is left out.
                guard let field else { continue }
                ignored.insert(field)
                comments.append("IMS value of '\(field.names.joined())' is not accepted in manifests: \(message)")
                switch field {
                case .title: title = Entry.acceptable(title) ?? "Untitled \(media.mediaId)"
                case .description: description = description.flatMap(Entry.acceptable)
                case .tags: tags = tags.compactMap(Entry.acceptable).filter { !$0.contains(",") }
                case .cover: cover = nil
                default: break
                }
            }
            for field in ManagedFields.named where problems.changedByDefaults.contains(field.field) {
                ignored.insert(field.field)
                comments.append(
                    "the project's defaults would change '\(field.name)'; it is left as IMS has it (delete it from "
                        + "ignoreChanges to apply the defaults)")
            }
        }

        /// `text` without emoji and control characters, or nil when nothing is left.
        static func acceptable(_ text: String) -> String? {
            let kept = String(
                String.UnicodeScalarView(
                    text.unicodeScalars.filter {
                        !($0.properties.isEmojiPresentation || ($0.properties.isEmoji && $0.value > 0x2000))
                            && $0.properties.generalCategory != .control && $0.value != 0xFE0F
                    }))
            var collapsed = ""
            for c in kept where !(c == " " && collapsed.last == " ") { collapsed.append(c) }
            let trimmed = collapsed.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
    }

    /// What the check found for one entry.
    struct Problems {
        /// The field, or nil for a problem elsewhere (the source).
        var rejected: [(field: ManagedFields?, message: String)] = []
        var changedByDefaults: ManagedFields = []
    }

    /// Parses the rendered entries as `plan` will, and says per entry what the manifest language rejects and which
    /// fields the defaults change.
    static func check(
        _ entries: [Entry], defaults: AssetFields?, file: String, defaultsFile: String,
        categories: [String: CategoryRecord] = [:]
    ) -> [Int: Problems] {
        let (text, lines) = renderWithLines(entries)
        var parsed = ManifestParser.parseAssets(text, file: file, defaults: defaults, defaultsFile: defaultsFile)
        parsed.assets = CategoryPlanner.resolve(parsed.assets, categories: categories)
        var problems: [Int: Problems] = [:]
        for diagnostic in parsed.diagnostics where diagnostic.severity == .error {
            guard let line = diagnostic.location?.line, diagnostic.location?.file == file,
                let (index, field) = lines[line]
            else { continue }
            problems[index, default: Problems()].rejected.append((field, diagnostic.message))
        }
        let byKey = Dictionary(parsed.assets.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (i, entry) in entries.enumerated() {
            guard let asset = byKey[entry.key] else { continue }
            var changed: ManagedFields = []
            let media = entry.media
            if !entry.ignored.contains(.title) && asset.title != entry.title { changed.insert(.title) }
            if !entry.ignored.contains(.description) && asset.description != entry.description {
                changed.insert(.description)
            }
            if !entry.ignored.contains(.tags) && Set(asset.tags) != Set(entry.tags) { changed.insert(.tags) }
            if asset.category != media.category { changed.insert(.category) }
            if !entry.ignored.contains(.cover) && asset.cover.map(URLRedaction.redact) != entry.cover {
                changed.insert(.cover)
            }
            changed.subtract(entry.ignored)
            if !changed.isEmpty { problems[i, default: Problems()].changedByDefaults = changed }
        }
        return problems
    }

    static func render(_ entries: [Entry]) -> String { renderWithLines(entries).text }

    /// The file, and which entry and field each line holds (line numbers from 1).
    static func renderWithLines(_ entries: [Entry]) -> (text: String, lines: [Int: (Int, ManagedFields?)]) {
        var text = """
            # Written by 'mediaform import --all' from the IMS library: one asset per media that was not managed.
            # The media are recorded in the state, so the next plan shows no change; edit freely from here.
            assets:

            """
        var line = 4
        var lines: [Int: (Int, ManagedFields?)] = [:]
        func add(_ s: String, _ index: Int, _ field: ManagedFields?) {
            text += s + "\n"
            lines[line] = (index, field)
            line += 1
        }
        for (i, entry) in entries.enumerated() {
            let media = entry.media
            for comment in entry.comments { add("  # \(comment.replacingNewlines)", i, nil) }
            add("  - key: \(quoted(entry.key))", i, nil)
            add("    source: \(quoted(URLRedaction.redact(media.inputURL ?? "")))", i, nil)
            add("    title: \(quoted(entry.title))", i, .title)
            if let d = entry.description { add("    description: \(quoted(d))", i, .description) }
            if !entry.tags.isEmpty { add("    tags: [\(entry.tags.map(quoted).joined(separator: ", "))]", i, .tags) }
            if let path = entry.categoryPath {
                add("    category: \(quoted(path))", i, .category)
            } else if let c = media.category {
                add("    category: \(c)", i, .category)
            }
            if let cover = entry.cover { add("    cover: \(quoted(cover))", i, .cover) }
            if !entry.ignored.isEmpty {
                add("    ignoreChanges: [\(entry.ignored.names.joined(separator: ", "))]", i, nil)
            }
            add("    # media \(media.mediaId), \(media.statusText ?? media.status.rawValue)", i, nil)
        }
        if entries.isEmpty { text += "  []\n" }
        return (text, lines)
    }

    /// A YAML double-quoted scalar (JSON's string syntax is YAML's).
    static func quoted(_ s: String) -> String {
        var out = ""
        JSONValue.writeString(s, to: &out)
        return out
    }
}

extension String {
    /// Newlines as spaces, for a comment line.
    fileprivate var replacingNewlines: String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
