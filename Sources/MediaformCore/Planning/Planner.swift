import Dispatch
import Synchronization

/// Decides what to do for every asset key: a pure function of the project, the effective assets and the state
/// (docs/design.md §3). No I/O, no clock, no API call; the order of the result is deterministic (by key, byte order).
public enum Planner {
    /// Plans every asset in the manifests and every record in the state.
    /// - Parameters:
    ///   - prune: delete assets that left the manifests (`--prune` or `prune: true`).
    public static func plan(project: Project, assets: [Asset], state: State, prune: Bool) -> Plan {
        var changes: [PlannedChange] = []
        changes.reserveCapacity(max(assets.count, state.assets.count))
        var seen = Set<String>(minimumCapacity: assets.count)
        let prints = fingerprints(of: assets, appId: project.appId)
        for (asset, print) in zip(assets, prints) {
            seen.insert(asset.key)
            changes.append(
                change(for: asset, prints: print, record: state.assets[asset.key], appId: project.appId, prune: prune))
        }
        for (key, record) in state.assets where !seen.contains(key) {
            changes.append(removal(key: key, record: record, prune: prune))
        }
        changes.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return Plan(changes: changes, prune: prune, lineage: state.lineage, serial: state.serial)
    }

    /// Fingerprints of all assets, computed on every core (hashing is most of the planning time).
    static func fingerprints(of assets: [Asset], appId: String) -> [Fingerprints] {
        let chunkSize = 4096
        let chunks = (assets.count + chunkSize - 1) / chunkSize
        guard chunks > 1 else { return assets.map { $0.fingerprints(appId: appId) } }
        let results = Mutex<[[Fingerprints]]>(Array(repeating: [], count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * chunkSize..<min(assets.count, (chunk + 1) * chunkSize)
            let part = assets[range].map { $0.fingerprints(appId: appId) }
            results.withLock { $0[chunk] = part }
        }
        return results.withLock { $0.flatMap { $0 } }
    }

    static func change(for asset: Asset, prints: Fingerprints, record: AssetRecord?, appId: String, prune: Bool)
        -> PlannedChange
    {
        guard let record else {
            return PlannedChange(
                key: asset.key, action: .create, reason: "not in the state",
                fields: creationFields(asset, appId: appId),
                operations: [.upload], asset: asset)
        }
        let uploadChanged = prints.upload != record.fingerprints.upload
        let mutableChanged = prints.mutable != record.fingerprints.mutable
        if record.status == .failed {
            let cause = record.lastError.map { "last upload failed: \($0.code): \($0.message)" } ?? "last upload failed"
            return PlannedChange(
                key: asset.key, action: .retry, reason: cause,
                fields: uploadChanged ? uploadFieldChanges(asset, record: record, appId: appId) : [],
                operations: [.upload], asset: asset, record: record)
        }
        if uploadChanged {
            let fields = uploadFieldChanges(asset, record: record, appId: appId)
            let names = fields.map(\.field)
            let what = names.isEmpty ? "an upload-time input changed" : "\(names.joined(separator: ", ")) changed"
            let deleteOld = prune && !record.protect && record.mediaId != nil
            var reason = "\(what); the media is uploaded again"
            reason +=
                deleteOld
                ? " and the old media deleted"
                : record.mediaId == nil ? "" : " (the old media is kept; it is deleted only with --prune)"
            return PlannedChange(
                key: asset.key, action: .replace, reason: reason,
                fields: fields + (mutableChanged ? mutableFieldChanges(asset, record: record) : []),
                operations: deleteOld ? [.upload, .delete] : [.upload], asset: asset, record: record)
        }
        if mutableChanged {
            let fields = mutableFieldChanges(asset, record: record)
            let names = fields.map(\.field)
            if record.mediaId != nil {
                return PlannedChange(
                    key: asset.key, action: .update,
                    reason: "\(names.isEmpty ? "fields" : names.joined(separator: ", ")) changed",
                    fields: fields, operations: [.update], asset: asset, record: record)
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

    static func removal(key: String, record: AssetRecord, prune: Bool) -> PlannedChange {
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

    /// The fields a reviewer sees for a new upload: every value that will be sent.
    static func creationFields(_ asset: Asset, appId: String) -> [FieldChange] {
        var fields = [FieldChange(field: "source", before: .null, after: .string(asset.redactedSource))]
        let mutable = MutableFieldValues(asset).json
        for name in ["title", "description", "tags", "category", "cover"] {
            if let v = mutable[name] { fields.append(FieldChange(field: name, before: .null, after: v)) }
        }
        if case .object(let inputs) = asset.uploadInputs(appId: appId) {
            for name in inputs.keys.sorted() where name != "source" && name != "appId" {
                fields.append(FieldChange(field: name, before: .null, after: inputs[name] ?? .null))
            }
        }
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
