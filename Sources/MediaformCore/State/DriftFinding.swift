/// Something the library holds that differs from what the state recorded: a change made outside mediaform.
public struct DriftFinding: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Managed fields changed: `before` as recorded, `after` as the library holds them now.
        case changed([FieldChange])
        /// The media was deleted.
        case deleted
        /// The media's status became a failure (`PrepareFail`).
        case failed(status: String)
        /// A media recorded as deleted exists again.
        case reappeared
    }

    public var key: String
    public var kind: Kind

    public init(key: String, kind: Kind) {
        self.key = key
        self.kind = kind
    }

    /// One line for people: "demo/intro: title "A" → "B"", "demo/x: deleted".
    public var description: String {
        switch kind {
        case .changed(let fields):
            let parts = fields.map {
                "\($0.field) \(PlanRenderer.display($0.before)) → \(PlanRenderer.display($0.after))"
            }
            return "\(key): \(parts.joined(separator: "; "))"
        case .deleted: return "\(key): deleted"
        case .failed(let status): return "\(key): status \(status) (processing failed)"
        case .reappeared: return "\(key): exists again (it was recorded as deleted)"
        }
    }
}

extension State {
    /// The records of the observed keys brought in step with the library, and what was found changed outside
    /// mediaform. Only records that change are returned; keys without an observation are left alone.
    ///
    /// Field values read are recorded with their fingerprint, so the planner compares the manifests with the
    /// library as it is. Title, description and tags are always mediaform's; a category or cover counts as drift
    /// only when mediaform had recorded one (IMS may set a cover of its own, a snapshot, on media uploaded without
    /// one: that is the library's business, recorded but not reported). A category the answer does not carry is
    /// not compared.
    public func observing(_ observations: [String: MediaObservation], time: String)
        -> (changed: [String: AssetRecord], findings: [DriftFinding])
    {
        var changed: [String: AssetRecord] = [:]
        var findings: [DriftFinding] = []
        for key in observations.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let observation = observations[key], var record = assets[key] else { continue }
            let original = record
            switch observation {
            case .gone:
                if record.status != .missing {
                    record.status = .missing
                    findings.append(DriftFinding(key: key, kind: .deleted))
                }
            case .present(let media):
                if record.status.isRunning && record.jobId == nil && media.status != .processing {
                    // Adopted while processing: no job to track, so its end is seen here.
                    record.status = media.status
                } else if record.status == .missing {
                    record.status = media.status == .failed ? .failed : .ready
                    findings.append(DriftFinding(key: key, kind: .reappeared))
                } else if media.status == .failed && record.status == .ready {
                    record.status = .failed
                    let status = media.statusText ?? "PrepareFail"
                    record.lastError = RecordedError(
                        code: status, message: "the media's status in IMS is \(status) (found by a refresh)")
                    findings.append(DriftFinding(key: key, kind: .failed(status: status)))
                }
                let fields = Self.fieldDrift(recorded: record.fields, remote: media)
                if !fields.changes.isEmpty {
                    record.fields = fields.values
                    record.fingerprints.mutable = fields.values.fingerprint
                    record.drift.formUnion(fields.drift)
                    if !fields.drift.isEmpty {
                        findings.append(
                            DriftFinding(
                                key: key,
                                kind: .changed(fields.changes.filter { fields.drift.names.contains($0.field) })
                            ))
                    }
                }
            }
            if record != original {
                record.updatedAt = time
                changed[key] = record
            }
        }
        return (changed, findings)
    }

    /// The recorded values updated with the library's, the changes (recorded → remote), and which of them are
    /// drift (see `observing`).
    static func fieldDrift(recorded: MutableFieldValues, remote: RemoteMedia)
        -> (values: MutableFieldValues, changes: [FieldChange], drift: ManagedFields)
    {
        var values = recorded
        var changes: [FieldChange] = []
        var drift: ManagedFields = []
        func note(_ field: ManagedFields, _ name: String, _ before: JSONValue, _ after: JSONValue, owned: Bool) {
            changes.append(FieldChange(field: name, before: before, after: after))
            if owned { drift.insert(field) }
        }
        if let title = remote.title, title != recorded.title {
            note(.title, "title", .string(recorded.title), .string(title), owned: true)
            values.title = title
        }
        let description = remote.description.flatMap { $0.isEmpty ? nil : $0 }
        if description != recorded.description.flatMap({ $0.isEmpty ? nil : $0 }) {
            note(
                .description, "description", recorded.description.map(JSONValue.string) ?? .null,
                description.map(JSONValue.string) ?? .null, owned: true)
            values.description = description
        }
        if Set(remote.tags) != Set(recorded.tags) {
            let list = { (tags: [String]) in tags.isEmpty ? JSONValue.null : .array(tags.map(JSONValue.string)) }
            note(.tags, "tags", list(recorded.tags), list(remote.tags), owned: true)
            values.tags = remote.tags
        }
        if let category = remote.category, category != recorded.category {
            note(
                .category, "category", recorded.category.map(JSONValue.int) ?? .null, .int(category),
                owned: recorded.category != nil)
            values.category = category
        }
        let cover = remote.cover.flatMap { $0.isEmpty ? nil : URLRedaction.redact($0) }
        if cover != recorded.cover {
            note(
                .cover, "cover", recorded.cover.map(JSONValue.string) ?? .null, cover.map(JSONValue.string) ?? .null,
                owned: recorded.cover != nil)
            values.cover = cover
        }
        return (values, changes, drift)
    }
}
