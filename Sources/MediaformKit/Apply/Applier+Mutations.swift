import Foundation
import MediaformCore

extension Applier {
    /// Journals the records a read of the library changed (`--refresh`), before anything is sent.
    func recordObserved(_ changed: [String: AssetRecord], categories: [JournalEntry] = []) async throws {
        guard !changed.isEmpty || !categories.isEmpty else { return }
        let sorted = changed.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        try await recorder.record(categories + sorted.map { .put(key: $0.key, record: $0.value) })
    }

    /// Moves the records of renamed assets to their new keys, one journal record each (no API call).
    func move(_ moves: [PlannedChange]) async throws {
        let pairs = moves.compactMap { change in change.from.map { (from: $0, to: change.key) } }
        guard !pairs.isEmpty, !stop.isSet else { return }
        try await recorder.record(pairs.map { .move(from: $0.from, to: $0.to) })
        report.withLock { $0.moved += pairs.count }
        for pair in pairs { emit(.moved(from: pair.from, to: pair.to)) }
    }

    func update(_ asset: Asset, record: AssetRecord, mediaId: String) async throws {
        do {
            // A cover left to the console is known only without its signed query: not sent (whether an omitted
            // field is kept is UNCONFIRMED; the other fields are always sent, with the recorded values).
            try await client.updateMediaInfo(
                mediaId: mediaId, title: asset.title, description: asset.description, tags: asset.tags,
                cateId: asset.category,
                coverURL: asset.ignoreChanges.contains(.cover) ? nil : asset.cover)
        } catch {
            fail(asset.key, error.code, error.description)
            return
        }
        var updated = record
        updated.fields = MutableFieldValues(asset)
        updated.fingerprints.mutable = asset.fingerprints(appId: project.appId).mutable
        updated.protect = asset.protect
        updated.drift = []
        updated.updatedAt = now()
        try await recorder.record([.put(key: asset.key, record: updated)])
        report.withLock { $0.updated += 1 }
        emit(.updated(key: asset.key))
    }

    func delete(_ deletions: [(key: String, mediaId: String?, forget: Bool)]) async throws {
        // Records without media are only forgotten.
        let forgetOnly = deletions.filter { $0.mediaId == nil && $0.forget }
        if !forgetOnly.isEmpty {
            try await recorder.record(forgetOnly.map { .remove(key: $0.key) })
            report.withLock { $0.forgotten += forgetOnly.count }
            for d in forgetOnly { emit(.forgotten(key: d.key)) }
        }
        let withMedia = deletions.filter { $0.mediaId != nil }
        for chunk in withMedia.chunks(of: APILimits.deleteMediaInfosPerCall) {
            if stop.isSet { break }
            let ids = chunk.compactMap(\.mediaId)
            let intent = Intent(id: Self.marker(), operation: .delete, keys: chunk.map(\.key))
            try await recorder.record([.intent(intent)])
            let outcome: Result<(forbidden: [String], ignored: [String]), APIError>
            do {
                outcome = .success(try await client.deleteMediaInfos(mediaIds: ids))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let result):
                var entries: [JournalEntry] = []
                for d in chunk {
                    if let id = d.mediaId, result.forbidden.contains(id) {
                        fail(d.key, "Forbidden", "no permission to delete media \(id)")
                    } else if d.forget {
                        entries.append(.remove(key: d.key))
                        report.withLock { $0.deleted += 1 }
                        emit(.deleted(key: d.key))
                    }
                }
                entries.append(.done(intentId: intent.id))
                try await recorder.record(entries)
            case .failure(let error):
                for d in chunk { fail(d.key, error.code, error.description) }
                try await recorder.record([.done(intentId: intent.id)])
            }
        }
    }

    /// Copies each manifest asset's `protect` into its record. `protect` is in no fingerprint (it changes nothing
    /// remotely), so no plan action carries it; removing a protected asset later must still find it protected.
    public func syncProtection(assets: [Asset]) async throws {
        let state = recorder.state
        var entries: [JournalEntry] = []
        for asset in assets {
            guard var record = state.assets[asset.key], record.protect != asset.protect else { continue }
            record.protect = asset.protect
            entries.append(.put(key: asset.key, record: record))
        }
        if !entries.isEmpty { try await recorder.record(entries) }
    }

}
