/// Decides what to do for every asset key: a pure function of the project, the effective assets and the state
/// (docs/design.md §3). No I/O, no clock, no API call; the order of the result is deterministic (by key, byte order).
public enum Planner {
    /// The reason of a plain create; renderers leave it out, since the symbol says it.
    public static let createReason = "not in the state"

    /// Plans every asset in the manifests and every record in the state.
    /// - Parameters:
    ///   - prune: delete assets that left the manifests (`--prune` or `prune: true`).
    ///   - scope: only the `--target`ed assets, and the `--replace`d ones uploaded again. Check
    ///     `scope.problems(assets:state:)` first: a replacement the scope cannot make is planned as usual.
    ///   - unchanged: keys of assets in manifest files the manifest cache skipped (`LoadedProject.unchangedKeys`):
    ///     declared, recorded and known to plan to no change. Never given with a partial scope.
    public static func plan(
        project: Project, assets: [Asset], unchanged: [String] = [], state: State, prune: Bool,
        scope: PlanScope = PlanScope()
    ) -> Plan {
        // Category paths become the IDs the state records; paths not created yet stay unresolved (and differ).
        let assets =
            project.categories.isEmpty ? assets : CategoryPlanner.resolve(assets, categories: state.categories)
        // Only records can leave the manifests: without any (a first plan), no planned key needs remembering.
        let tracksKeys = !state.assets.isEmpty
        // Fingerprints are compared with records. A new asset needs one only to be recognised as a rename, which
        // takes a record that left the manifests: without such records, new assets are not hashed at all (apply
        // computes their fingerprints when it writes their records).
        // Each key is looked up once, on every core; the index is kept for the loop below.
        let records = state.assets
        let slots: [Dictionary<String, AssetRecord>.Index?] =
            tracksKeys
            ? ParallelChunks.map(count: assets.count, size: 8192) { records.index(forKey: assets[$0].key) }
            : Array(repeating: nil, count: assets.count)
        let hasRecord = slots.map { $0 != nil }
        let recorded = hasRecord.reduce(0) { $0 + ($1 ? 1 : 0) } + unchanged.count
        let prints = fingerprints(
            of: assets, appId: project.appId, only: recorded < state.assets.count ? nil : hasRecord)
        let forced = Set(scope.replacing)
        // Each asset's change depends on it and its record only: decided on every core, then joined in order. The
        // changes are sorted by key at the end, so the parsed assets' come first, as decided (not copied one by one).
        var changes = ParallelChunks.map(count: assets.count, size: 4096) { i in
            let (asset, print) = (assets[i], prints[i])
            let record = slots[i].map { state.assets[$0].value }
            if forced.contains(asset.key), let record,
                let forcedChange = replacement(
                    of: asset, prints: print, record: record, appId: project.appId, prune: prune)
            {
                return forcedChange
            }
            return change(for: asset, prints: print, record: record, appId: project.appId, prune: prune)
        }
        changes.reserveCapacity(max(assets.count + unchanged.count, state.assets.count))
        var creations: [(index: Int, upload: String)] = []
        // A rename's target; renames need a removed record (so none without records).
        if tracksKeys {
            for i in changes.indices where !hasRecord[i] { creations.append((i, prints[i].upload)) }
        }
        let parsed = changes.count
        // Appended one by one: made on every core and joined, a million of them were held three times at once.
        for key in unchanged { changes.append(PlannedChange(key: key, action: .noOp, reason: "unchanged")) }
        var removals: [(index: Int, upload: String)] = []
        // The records that left the manifests, found by key (a record is copied only when it is one of them); not
        // looked for at all when every record was planned (`plannedRecords`).
        var left: [Dictionary<String, AssetRecord>.Index] = []
        if tracksKeys, plannedRecords(changes, parsedWithRecord: hasRecord, parsed: parsed, in: records) < records.count
        {
            let planned = Set(changes.lazy.map(\.key))
            left = records.indices.filter { !planned.contains(records.keys[$0]) }
        }
        for index in left {
            let (key, record) = records[index]
            // A failed upload, or a media deleted outside mediaform, has no media to keep: never a rename's source.
            if record.status != .failed && record.status != .missing {
                removals.append((changes.count, record.uploadPrint))
            }
            changes.append(removal(key: key, record: record, prune: prune))
        }
        detectMoves(in: &changes, creations: creations, removals: removals, appId: project.appId)
        var categories = CategoryPlanner.plan(
            declared: project.categories, state: state, changes: changes, assets: assets, unchanged: unchanged,
            prune: prune)
        if !project.categories.isEmpty || !state.categories.isEmpty {
            CategoryPlanner.describe(&changes, categories: state.categories)
        }
        let planned = scope.isPartial ? changes.filter(scope.includes) : changes
        if scope.isPartial { categories = CategoryPlanner.scoped(categories, to: planned) }
        let excluded = changes.count - planned.count
        changes = planned
        changes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Plan(
            changes: changes, prune: prune, lineage: state.lineage, serial: state.serial, scope: scope,
            excluded: excluded, categories: categories)
    }

    /// How many distinct keys of `changes` have a record: when they are all the records, none left the manifests.
    /// The first `parsed` changes are the parsed assets' (`parsedWithRecord` says which have a record); the rest
    /// are keys the manifest cache vouched for, looked up here. Keys are hashed and looked up on every core, and
    /// repeats found through the hashes (`RepeatFinder`): a set of a million keys, built on one core, was most of a
    /// plan's last second at that size.
    static func plannedRecords(
        _ changes: [PlannedChange], parsedWithRecord: [Bool], parsed: Int, in records: [String: AssetRecord]
    ) -> Int {
        let looked = ParallelChunks.map(count: changes.count, size: 8192) { i in
            let key = changes[i].key
            return (hash: key.hashValue, recorded: i < parsed ? parsedWithRecord[i] : records.index(forKey: key) != nil)
        }
        var count = looked.reduce(0) { $0 + ($1.recorded ? 1 : 0) }
        // A repeated key has the record its first occurrence has: counted once.
        for repeated in RepeatFinder.repeats(hashes: looked.map(\.hash), same: { changes[$0].key == changes[$1].key })
        where looked[repeated.index].recorded {
            count -= 1
        }
        return count
    }

    /// Turns each unambiguous rename into a move: a new key whose upload fingerprint (source without signed query,
    /// and the other upload-time inputs) equals exactly one removed record's, and no other new key's. An
    /// ambiguous match is never guessed: both sides stay create and orphan/delete, and their reasons say why and
    /// how to record the rename by hand. Removes the removals that became moves from `changes`.
    static func detectMoves(
        in changes: inout [PlannedChange], creations: [(index: Int, upload: String)],
        removals: [(index: Int, upload: String)], appId: String
    ) {
        guard !creations.isEmpty, !removals.isEmpty else { return }
        let removedByPrint = Dictionary(grouping: removals, by: \.upload)
        let createdByPrint = Dictionary(grouping: creations.filter { removedByPrint[$0.upload] != nil }, by: \.upload)
        var consumed = Set<Int>()
        let hint = "say which with: mediaform state mv OLD NEW"
        for (print, created) in createdByPrint {
            let removed = removedByPrint[print] ?? []
            let newKeys = created.map { changes[$0.index].key }.sorted()
            let oldKeys = removed.map { changes[$0.index].key }.sorted()
            guard created.count == 1, removed.count == 1 else {
                let quoted = { (keys: [String]) in keys.map { "'\($0)'" }.joined(separator: ", ") }
                for c in created {
                    changes[c.index].reason =
                        "not in the state; the same source and upload inputs as \(quoted(oldKeys)), which left the "
                        + "manifests: ambiguous (\(newKeys.count) new, \(oldKeys.count) removed), so not a rename; "
                        + hint
                }
                for r in removed {
                    changes[r.index].reason +=
                        "; the same source and upload inputs as new \(quoted(newKeys)): ambiguous, so not a rename; "
                        + hint
                }
                continue
            }
            let (c, r) = (created[0].index, removed[0].index)
            guard let asset = changes[c].asset, let record = changes[r].record else { continue }
            changes[c] = move(asset, from: changes[r].key, record: record, appId: appId)
            consumed.insert(r)
        }
        if !consumed.isEmpty {
            changes = changes.enumerated().filter { !consumed.contains($0.offset) }.map(\.element)
        }
    }

    /// The move of `record` from key `from` to `asset`'s key, with the field changes that came with the rename.
    static func move(_ asset: Asset, from: String, record: AssetRecord, appId: String) -> PlannedChange {
        let mutableChanged = asset.fingerprints(appId: appId).mutable != record.fingerprints.mutable
        let fields = mutableChanged ? mutableFieldChanges(asset, record: record) : []
        var reason = "renamed: the same source and upload inputs; the media is kept"
        var operations: [RemoteOperation] = []
        if mutableChanged {
            let names = fields.isEmpty ? "fields" : fields.map(\.field).joined(separator: ", ")
            if record.mediaId != nil {
                reason += "; \(names) changed"
                operations = [.update]
            } else {
                reason += "; \(names) changed, sent once the media exists"
            }
        }
        if record.status.isRunning { reason += "; upload \(record.status.rawValue)" }
        return PlannedChange(
            key: asset.key, from: from, action: .move, reason: reason, fields: fields, operations: operations,
            asset: asset, record: record)
    }

    /// A replacement asked for with `--replace`, or nil when the record cannot be replaced that way (a failed
    /// upload is retried anyway; a running one is refused by `PlanScope.problems`).
    static func replacement(of asset: Asset, prints: Fingerprints, record: AssetRecord, appId: String, prune: Bool)
        -> PlannedChange?
    {
        guard record.status != .failed, !record.status.isRunning else { return nil }
        let (deleteOld, tail) = oldMedia(of: record, prune: prune)
        let reason = "replacement requested with --replace; the media is uploaded again" + tail
        var fields = uploadFieldChanges(asset, record: record, appId: appId)
        if prints.mutable != record.fingerprints.mutable { fields += mutableFieldChanges(asset, record: record) }
        return PlannedChange(
            key: asset.key, action: .replace, reason: reason, fields: fields,
            operations: deleteOld ? [asset.creatingOperation, .delete] : [asset.creatingOperation], asset: asset,
            record: record)
    }

    /// Fingerprints of all assets, computed on every core (hashing is most of the planning time).
    /// - Parameter only: when given, only the assets whose flag is set are hashed; the others get empty
    ///   fingerprints (which match no record).
    static func fingerprints(of assets: [Asset], appId: String, only: [Bool]? = nil) -> [Fingerprints] {
        let none = Fingerprints(upload: "", mutable: "")
        return ParallelChunks.map(count: assets.count, size: 4096) { i in
            only.map { $0[i] } ?? true ? assets[i].fingerprints(appId: appId) : none
        }
    }

    static func change(for asset: Asset, prints: Fingerprints, record: AssetRecord?, appId: String, prune: Bool)
        -> PlannedChange
    {
        guard let record else {
            return PlannedChange.creation(key: asset.key, reason: createReason, asset: asset, appId: appId)
        }
        if record.status == .missing {
            return reupload(asset, record: record, appId: appId)
        }
        // Fields the asset leaves to the console take the recorded values, and are compared as such.
        var asset = asset
        var prints = prints
        if let owned = owned(asset, record: record) {
            asset = owned
            prints.mutable = MutableFieldValues(owned).fingerprint
        }
        let uploadChanged = prints.upload != record.uploadPrint
        let mutableChanged = prints.mutable != record.fingerprints.mutable
        if record.status == .failed {
            let cause = record.lastError.map { "last upload failed: \($0.code): \($0.message)" } ?? "last upload failed"
            return PlannedChange(
                key: asset.key, action: .retry, reason: cause,
                fields: uploadChanged ? uploadFieldChanges(asset, record: record, appId: appId) : [],
                operations: [asset.creatingOperation], asset: asset, record: record)
        }
        if uploadChanged {
            let fields = uploadFieldChanges(asset, record: record, appId: appId)
            let names = fields.map(\.field)
            let what = names.isEmpty ? "an upload-time input changed" : "\(names.joined(separator: ", ")) changed"
            let (deleteOld, tail) = oldMedia(of: record, prune: prune)
            let reason = "\(what); the media is uploaded again" + tail
            return PlannedChange(
                key: asset.key, action: .replace, reason: reason,
                fields: fields + (mutableChanged ? mutableFieldChanges(asset, record: record) : []),
                operations: deleteOld ? [asset.creatingOperation, .delete] : [asset.creatingOperation], asset: asset,
                record: record)
        }
        if mutableChanged {
            let fields = mutableFieldChanges(asset, record: record)
            if record.mediaId != nil {
                let (reason, drift) = updateReason(fields, record: record)
                return PlannedChange(
                    key: asset.key, action: .update, reason: reason, fields: fields, operations: [.update],
                    asset: asset, record: record, drift: drift)
            }
            // Without a media ID there is nothing to update yet; the job's end will tell.
        }
        if record.status.isRunning {
            var reason = "upload \(record.status.rawValue)" + (record.jobId.map { " (job \($0))" } ?? "")
            if mutableChanged { reason += "; field changes wait until the media exists" }
            return PlannedChange(key: asset.key, action: .inProgress, reason: reason, asset: asset, record: record)
        }
        // No-op changes carry neither the asset nor the record: nothing acts on them, and at 100,000 assets the
        // copies would be most of the planning time.
        return PlannedChange(key: asset.key, action: .noOp, reason: "unchanged")
    }

    /// "title, tags changed", or for fields the library changed: "title changed outside mediaform (sent back to
    /// the manifests' value)"; and whether any field is drift.
    static func updateReason(_ fields: [FieldChange], record: AssetRecord) -> (String, Bool) {
        let names = fields.map(\.field)
        let drifted = names.filter { record.drift.names.contains($0) }
        let own = names.filter { !drifted.contains($0) }
        var parts: [String] = []
        if !own.isEmpty { parts.append("\(own.joined(separator: ", ")) changed") }
        if !drifted.isEmpty {
            parts.append(
                "\(drifted.joined(separator: ", ")) changed outside mediaform (set back to the manifests' value)")
        }
        return (parts.isEmpty ? "fields changed" : parts.joined(separator: "; "), !drifted.isEmpty)
    }

    /// A media deleted outside mediaform: uploaded again, unless protected (then only reported).
    static func reupload(_ asset: Asset, record: AssetRecord, appId: String) -> PlannedChange {
        if asset.protect || record.protect {
            return PlannedChange(
                key: asset.key, action: .missing,
                reason: "deleted outside mediaform; protected, so not uploaded again (remove 'protect' to upload it)",
                asset: asset, record: record, drift: true)
        }
        return PlannedChange.creation(
            key: asset.key, reason: "deleted outside mediaform; uploaded again", asset: asset, appId: appId,
            record: record, drift: true)
    }

    /// `asset` with the fields it does not own taken from `record`, or nil when it owns them all (the usual case,
    /// decided without copying). Not owned: the fields in `ignoreChanges`, and a category or cover the asset does
    /// not set while the state records one (set by the console, or by IMS: `UpdateMediaInfo` cannot clear them,
    /// so planning their removal would repeat forever). The result's `ignoreChanges` lists them all, so that an
    /// update does not send a cover it only knows without its signature.
    static func owned(_ asset: Asset, record: AssetRecord) -> Asset? {
        var ignored = asset.ignoreChanges
        if asset.category == nil && asset.categoryPath == nil && record.fields.category != nil {
            ignored.insert(.category)
        }
        if asset.cover == nil && record.fields.cover != nil { ignored.insert(.cover) }
        guard !ignored.isEmpty else { return nil }
        var owned = asset
        let recorded = record.fields
        if ignored.contains(.title) { owned.title = recorded.title }
        if ignored.contains(.description) { owned.description = recorded.description }
        if ignored.contains(.tags) { owned.tags = recorded.tags }
        if ignored.contains(.category) { owned.category = recorded.category }
        if ignored.contains(.cover) { owned.cover = recorded.cover }
        owned.ignoreChanges = ignored
        return owned
    }

    /// What happens to a replaced record's media: deleted under prune (unless protected), else kept; and the words
    /// that end the replacement's reason.
    static func oldMedia(of record: AssetRecord, prune: Bool) -> (delete: Bool, reason: String) {
        let delete = prune && !record.protect && record.mediaId != nil
        if delete { return (true, " and the old media deleted") }
        return (false, record.mediaId == nil ? "" : " (the old media is kept; it is deleted only with --prune)")
    }

    static func removal(key: String, record: AssetRecord, prune: Bool) -> PlannedChange {
        if record.status == .missing {
            let source = [FieldChange(field: "source", before: .string(record.source), after: .null)]
            guard prune && !record.protect else {
                return PlannedChange(
                    key: key, action: .orphan,
                    reason: "not in the manifests, and deleted outside mediaform; kept in the state"
                        + (record.protect ? " (protected)" : " (use --prune to forget it)"),
                    fields: source, record: record, drift: true)
            }
            return PlannedChange(
                key: key, action: .delete,
                reason: "not in the manifests, and deleted outside mediaform: the record is only forgotten",
                fields: source, operations: [], record: record, drift: true)
        }
        if record.protect {
            return PlannedChange(
                key: key, action: .orphan, reason: "not in the manifests; protected, so never deleted",
                fields: [FieldChange(field: "source", before: .string(record.source), after: .null)], record: record)
        }
        guard prune else {
            return PlannedChange(
                key: key, action: .orphan,
                reason: "not in the manifests; kept because pruning is off (use --prune to delete it)",
                fields: [FieldChange(field: "source", before: .string(record.source), after: .null)], record: record)
        }
        guard record.mediaId != nil else {
            return PlannedChange(
                key: key, action: .delete,
                reason: "not in the manifests; no media was created, so the record is only forgotten",
                fields: [FieldChange(field: "source", before: .string(record.source), after: .null)], operations: [],
                record: record)
        }
        return PlannedChange(
            key: key, action: .delete, reason: "not in the manifests and pruning is on",
            fields: [
                FieldChange(field: "source", before: .string(record.source), after: .null),
                FieldChange(field: "mediaId", before: record.mediaId.map(JSONValue.string) ?? .null, after: .null),
            ],
            operations: [.delete], record: record)
    }

    /// The fields a reviewer sees for a new upload: every value that will be sent. The source, then the values of
    /// `MutableFieldValues(asset).json` in the order title, description, tags, category, cover, then those of
    /// `uploadInputs(appId:)` but the source and app by name; written out field by field rather than read from
    /// those dictionaries, since this runs for every new asset (a test holds the two equal).
    static func creationFields(_ asset: Asset, appId: String) -> [FieldChange] {
        var fields: [FieldChange] = []
        fields.reserveCapacity(8)
        fields.append(FieldChange(field: "source", before: .null, after: .string(asset.redactedSource)))
        fields.append(FieldChange(field: "title", before: .null, after: .string(asset.title)))
        if let v = asset.description {
            fields.append(FieldChange(field: "description", before: .null, after: .string(v)))
        }
        if !asset.tags.isEmpty {
            fields.append(FieldChange(field: "tags", before: .null, after: .array(asset.tags.map(JSONValue.string))))
        }
        if let v = asset.category { fields.append(FieldChange(field: "category", before: .null, after: .int(v))) }
        if let v = asset.cover {
            fields.append(FieldChange(field: "cover", before: .null, after: .string(URLRedaction.redact(v))))
        }
        // The upload inputs, sorted by name as `uploadInputs(appId:)`'s keys sort.
        if let v = asset.entity { fields.append(FieldChange(field: "entity", before: .null, after: .string(v))) }
        if let v = asset.fileExtension {
            fields.append(FieldChange(field: "fileExtension", before: .null, after: .string(v)))
        }
        if let v = asset.fileSize { fields.append(FieldChange(field: "fileSize", before: .null, after: .int(v))) }
        if let v = asset.metadata { fields.append(FieldChange(field: "metadata", before: .null, after: .object(v))) }
        if let v = asset.postProcessWorkflow {
            fields.append(FieldChange(field: "postProcess", before: .null, after: .string(v)))
        }
        if let v = asset.storageLocation {
            fields.append(FieldChange(field: "storage", before: .null, after: .string(v)))
        }
        if let v = asset.workflow { fields.append(FieldChange(field: "workflow", before: .null, after: .string(v))) }
        return fields
    }

    static func mutableFieldChanges(_ asset: Asset, record: AssetRecord) -> [FieldChange] {
        let old = record.fields.json, new = MutableFieldValues(asset).json
        var fields: [FieldChange] = []
        for name in ["title", "description", "tags", "category", "cover"] {
            var before = old[name] ?? .null, after = new[name] ?? .null
            if name == "tags" {
                // Tags compare as a set, as the fingerprint does; show them as written.
                let a = before.arrayValue?.compactMap(\.stringValue).sorted(),
                    b = after.arrayValue?.compactMap(\.stringValue).sorted()
                if a == b { continue }
                if before == .array([]) { before = .null }
                if after == .array([]) { after = .null }
            }
            if before != after { fields.append(FieldChange(field: name, before: before, after: after)) }
        }
        return fields
    }

    /// Upload-time differences that can be shown: the stored record keeps the redacted source and the inputs.
    static func uploadFieldChanges(_ asset: Asset, record: AssetRecord, appId: String) -> [FieldChange] {
        var fields: [FieldChange] = []
        if record.source != asset.redactedSource {
            fields.append(
                FieldChange(field: "source", before: .string(record.source), after: .string(asset.redactedSource)))
        }
        guard let stored = record.uploadInputs, case .object(let new) = asset.uploadInputs(appId: appId) else {
            return fields
        }
        for name in Set(stored.keys).union(new.keys).sorted() where name != "source" {
            let before = stored[name] ?? .null, after = new[name] ?? .null
            if before != after { fields.append(FieldChange(field: name, before: before, after: after)) }
        }
        return fields
    }
}
