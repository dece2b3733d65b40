/// The manifest files a plan may leave unparsed (issue 18): each file whose assets all planned to no change when
/// apply last wrote the state, with the digest of its bytes, its keys and a digest of their records.
///
/// A file is skipped only while all of this still holds: the project file and the mediaform that recorded the cache
/// are the same (`project`), the file's bytes are the same (`Entry.digest`), the recorded categories are the same
/// (`categories`), and every one of its records is as it was (`Entry.records`, over each field the planner reads).
/// The cache is an optimisation only: a plan is identical with and without it (tests hold that), and any doubt
/// (a changed record, a key another file now declares too) means the file is parsed as usual.
public struct ManifestCache: Sendable, Equatable {
    /// One manifest file known to plan to no change.
    public struct Entry: Sendable, Equatable {
        /// SHA-256 of the file's bytes (hex).
        public var digest: String
        /// The asset keys the file declares, in order.
        public var keys: [String]
        /// `ManifestCache.recordsDigest` of those keys when the entry was made.
        public var records: String

        public init(digest: String, keys: [String], records: String) {
            self.digest = digest
            self.keys = keys
            self.records = records
        }
    }

    /// `ManifestCache.projectDigest` of the project file and the mediaform that made the cache.
    public var project: String
    /// `ManifestCache.categoriesDigest` of the state's categories when the cache was made.
    public var categories: String
    /// By path relative to the project directory.
    public var files: [String: Entry]

    public init(project: String, categories: String, files: [String: Entry] = [:]) {
        self.project = project
        self.categories = categories
        self.files = files
    }

    /// What every asset's plan depends on besides its file and its record: the project file (defaults, appId,
    /// categories declared) and the code that plans (`generator`, with its version).
    public static func projectDigest(projectFile: String, generator: String) -> String {
        Digest.sha256Hex(projectFile + "\n" + generator)
    }

    /// The recorded categories: a category path resolves to the `CateId` recorded for it.
    public static func categoriesDigest(_ categories: [String: CategoryRecord]) -> String {
        Digest.sha256Hex(CategoryRecord.json(categories).canonicalJSON)
    }

    /// A digest of everything the planner reads from the records of `keys`, or nil when one has no record.
    ///
    /// The fields (title, tags, …) enter by their values, the mutable fingerprint only when one that differs from
    /// theirs was recorded (`AssetRecord.recordedMutablePrint`): a cached plan checks every record of every skipped
    /// file, and computing 100,000 fingerprints to do so was a fifth of it. `updatedAt` changes on every write of a
    /// record, so anything else a later version may add is covered too.
    public static func recordsDigest(_ keys: some Sequence<String>, in state: State) -> String? {
        var text = DigestText()
        text.bytes.reserveCapacity(1 << 16)
        let records = state.assets
        for key in keys {
            // Read in place: copying each record (a dozen references) was most of this at a million records.
            guard let index = records.index(forKey: key) else { return nil }
            text.append(records.values[index], key: key)
        }
        return text.bytes.withUnsafeBytes { Digest.sha256Hex(bytes: $0) }
    }

    /// The bytes `recordsDigest` hashes: each part length-prefixed, so that no values can pass for others, and an
    /// absent one as its own marker.
    private struct DigestText {
        var bytes: [UInt8] = []

        mutating func append(_ r: borrowing AssetRecord, key: String) {
            add(key)
            add(r.uploadPrint)
            add(r.recordedMutablePrint)
            add(r.fields.title)
            add(r.fields.description)
            add(UInt64(r.fields.tags.count))
            for tag in r.fields.tags { add(tag) }
            add(r.fields.category)
            add(r.fields.cover)
            add(r.status.rawValue)
            add(r.mediaId)
            bytes.append(r.protect ? 1 : 0)
            add(UInt64(r.drift.rawValue))
            add(r.updatedAt)
            bytes.append(r.uploadInputs == nil ? 0 : 1)
        }

        mutating func add(_ value: String?) {
            guard let value else { return bytes.append(0) }
            bytes.append(1)
            add(UInt64(value.utf8.count))
            bytes.append(contentsOf: value.utf8)
        }

        mutating func add(_ value: Int64?) {
            guard let value else { return bytes.append(0) }
            bytes.append(1)
            add(UInt64(bitPattern: value))
        }

        mutating func add(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// The cache of a state just written by apply: every manifest file that had no diagnostic, whose assets all
    /// own every field they manage (none lists `ignoreChanges`), and whose every key `plan` (made against `state`)
    /// leaves unchanged.
    /// - Parameters:
    ///   - files: each manifest file as loaded (`LoadedProject.files`), all of them parsed.
    ///   - unchanged: the keys the plan against `state` leaves unchanged (`.noOp`).
    public static func recording(
        files: [ManifestFile], unchanged: Set<String>, state: State, project: String
    ) -> ManifestCache {
        var cache = ManifestCache(project: project, categories: categoriesDigest(state.categories))
        for file in files where file.cacheable && !file.skipped && file.keys.allSatisfy(unchanged.contains) {
            guard let records = recordsDigest(file.keys, in: state) else { continue }
            cache.files[file.path] = Entry(digest: file.digest, keys: file.keys, records: records)
        }
        return cache
    }

    /// Of the files skipped with this cache, those that must be parsed after all, now that the state is known:
    /// all of them when the categories changed, else those whose records changed.
    /// - Parameter recordsVouched: the state's backend knows that its records are those this cache was made from
    ///   (`LoadedState.manifestCacheHolds`): their digests are not computed again (a million records take about
    ///   1.5 s of CPU), and only the categories are compared.
    public func invalidated(_ skipped: [String], state: State, recordsVouched: Bool = false) -> [String] {
        guard categories == Self.categoriesDigest(state.categories) else { return skipped }
        if recordsVouched { return skipped.filter { files[$0] == nil } }
        // One digest per file, on every core (100,000 records take about 0.15 s on one).
        let stale = ParallelChunks.map(count: skipped.count, size: 1) { i in
            files[skipped[i]].map { Self.recordsDigest($0.keys, in: state) != $0.records } ?? true
        }
        return skipped.indices.filter { stale[$0] }.map { skipped[$0] }
    }
}

extension ManifestCache {
    public var json: JSONValue {
        var entries: [String: JSONValue] = [:]
        for (path, entry) in files {
            entries[path] = .object([
                "digest": .string(entry.digest), "records": .string(entry.records),
                "keys": .array(entry.keys.map(JSONValue.string)),
            ])
        }
        return .object([
            "project": .string(project), "categories": .string(categories), "files": .object(entries),
        ])
    }

    /// Reads the state's `manifestCache`; a cache this version cannot read is dropped (nil), never an error: it
    /// only saves time.
    public init?(json: JSONValue) {
        guard let project = json["project"]?.stringValue, let categories = json["categories"]?.stringValue,
            case .object(let entries)? = json["files"]
        else { return nil }
        var files: [String: Entry] = [:]
        for (path, value) in entries {
            guard let digest = value["digest"]?.stringValue, let records = value["records"]?.stringValue,
                let keys = value["keys"]?.arrayValue?.compactMap(\.stringValue)
            else { return nil }
            files[path] = Entry(digest: digest, keys: keys, records: records)
        }
        self.init(project: project, categories: categories, files: files)
    }
}

extension LoadedProject {
    /// The manifest cache of `state` for this project (`ManifestCache.recording`): the files whose every asset a
    /// plan against `state` leaves unchanged; `plan` is that plan when already made. Nil when a file was skipped
    /// (apply loads them all), or when no file qualifies.
    public func manifestCache(of state: State, plan: Plan? = nil) -> ManifestCache? {
        guard !files.isEmpty, !files.contains(where: \.skipped), !projectDigest.isEmpty else { return nil }
        let plan = plan ?? Planner.plan(project: project, assets: assets, state: state, prune: false)
        let unchanged = Set(plan.changes.lazy.filter { $0.action == .noOp }.map(\.key))
        let cache = ManifestCache.recording(files: files, unchanged: unchanged, state: state, project: projectDigest)
        return cache.files.isEmpty ? nil : cache
    }
}
