import Foundation
import MediaformCore
import Synchronization

/// Carries out a plan against the API, exactly once per upload (docs/design.md §5):
/// - before each `UploadMediaByURL` an intent is journaled (synced); after it, the jobs (or the failure) and a
///   `done`; each call carries the intent's ID in `UserData.Extend` as a marker;
/// - after an ambiguous failure (timeout, reset) the URLs are looked up with `GetUrlUploadInfos` and jobs with
///   the marker adopted; only URLs with no job are submitted again;
/// - intents left open by an interrupted run are resolved the same way before anything else;
/// - failures are per asset; updates and deletes follow the uploads.
public final class Applier: Sendable {
    let client: IMSClient
    let recorder: StateRecorder
    let project: Project
    let options: ApplyOptions
    let stop: StopFlag
    let emit: @Sendable (ApplyEvent) -> Void
    let now: @Sendable () -> String
    let report = Mutex(ApplyReport())

    /// - Parameters:
    ///   - lock: the held state lock (journal and snapshot go through it).
    ///   - loaded: the state read under that lock.
    public init(
        client: IMSClient, lock: any StateLock, loaded: LoadedState, project: Project,
        options: ApplyOptions = ApplyOptions(),
        stop: StopFlag = StopFlag(), emit: @escaping @Sendable (ApplyEvent) -> Void = { _ in },
        now: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.client = client
        self.recorder = StateRecorder(lock: lock, state: loaded.state, unresolved: loaded.unresolved)
        self.project = project
        self.options = options
        self.stop = stop
        self.emit = emit
        self.now = now
    }

    /// The state as recorded so far.
    public var state: State { recorder.state }

    public var currentReport: ApplyReport { report.withLock { $0 } }

    func fail(_ key: String, _ code: String, _ message: String) {
        report.withLock { $0.failures.append(AssetFailure(key: key, code: code, message: message)) }
        emit(.failed(key: key, code: code, message: message))
        if options.failFast { stop.set() }
    }

    // MARK: - Apply

    /// Applies `plan` (made against the state this applier holds). Returns what happened; never throws for a
    /// per-asset failure, only when the state itself cannot be written.
    public func apply(_ plan: Plan) async throws -> ApplyReport {
        // The category tree first: uploads and updates name categories that must exist.
        try await applyCategories(plan)
        let plan = resolvingCategories(plan)
        // Moves first: they only rename records, and the updates below find moved assets under their new keys.
        try await move(plan.changes.filter { $0.action == .move })
        let creating = plan.creatingAssets
        let uploads = creating.filter { !$0.registersInPlace }
        let registrations = creating.filter(\.registersInPlace)
        let previous = Dictionary(
            plan.changes.compactMap { c in c.record.map { (c.key, $0) } }, uniquingKeysWith: { a, _ in a })

        // Uploads, batched by request-level parameters, in parallel under the client's limits.
        let batches = UploadBatching.batches(uploads, appId: project.appId)
        var submittedKeys = try await boundedConcurrentMap(batches, limit: options.parallelism, stop: stop) { batch in
            try await self.submit(batch, previous: previous, attempt: 1)
        }.flatMap { $0 }
        // Registrations in place (oss:// sources): one call each.
        submittedKeys += try await boundedConcurrentMap(registrations, limit: options.parallelism, stop: stop) {
            asset in try await self.register(asset, previous: previous[asset.key]) ? [asset.key] : []
        }.flatMap { $0 }
        // A replaced asset's old media goes once its new upload is submitted, when the plan says so (under prune,
        // not protected; never for a retry or a media already deleted outside mediaform).
        let oldMediaDeleted = Set(
            plan.changes.filter { $0.action == .replace && $0.operations.contains(.delete) }.map(\.key))
        let replacedMedia: [(key: String, mediaId: String)] = submittedKeys.compactMap { key in
            guard oldMediaDeleted.contains(key), let r = previous[key], !r.protect, let m = r.mediaId else {
                return nil
            }
            return (key, m)
        }

        // Updates (and the field changes of moved assets): the full managed set, tags overwritten.
        let updates = plan.changes.compactMap { change -> (Asset, AssetRecord, String)? in
            guard change.operations.contains(.update), let asset = change.asset, let record = change.record,
                let mediaId = record.mediaId
            else { return nil }
            return (asset, record, mediaId)
        }
        _ = try await boundedConcurrentMap(updates, limit: options.parallelism, stop: stop) { change in
            try await self.update(change.0, record: change.1, mediaId: change.2)
        }

        // Deletes: removed assets under prune, and the old media of replaced assets.
        var deletions: [(key: String, mediaId: String?, forget: Bool)] = []
        for change in plan.changes where change.action == .delete {
            // A delete without the API operation only forgets the record (no media, or deleted outside).
            let mediaId = change.operations.contains(.delete) ? change.record?.mediaId : nil
            deletions.append((change.key, mediaId, true))
        }
        for old in replacedMedia { deletions.append((old.key, old.mediaId, false)) }
        if !stop.isSet { try await delete(deletions) }
        // Categories last: the assets deleted above may have been the last ones in them.
        if !stop.isSet { try await deleteCategories(plan) }

        var result = report.withLock { $0 }
        result.interrupted = stop.isSet
        result.unresolved = recorder.unresolved.count
        return result
    }

    /// Submits one batch; returns the keys that got a job.
    private func submit(_ batch: UploadBatch, previous: [String: AssetRecord], attempt: Int) async throws -> [String] {
        let marker = Self.marker()
        let keys = batch.assets.map(\.key)
        try await recorder.record([.intent(Intent(id: marker, operation: .upload, keys: keys))])
        let request = UploadBatching.request(for: batch, marker: marker)
        do {
            let jobs = try await client.uploadMediaByURL(request)
            // Test hook: a crash after the jobs exist but before they are journaled.
            FaultInjection.hit("apply-after-upload")
            var entries: [JournalEntry] = []
            var submitted: [String] = []
            for (asset, item) in zip(batch.assets, request.items) {
                guard
                    let job = jobs.first(where: {
                        UploadBatching.sameURL($0.sourceURL, item.encodedURL)
                            || UploadBatching.sameURL($0.sourceURL, asset.source)
                    })
                else {
                    fail(asset.key, "NoJob", "the API accepted the call but returned no job for this URL")
                    continue
                }
                var record = AssetRecord(
                    asset: asset, appId: project.appId, status: .submitted, jobId: job.jobId, mediaId: job.mediaId,
                    time: now(), createdAt: nil)
                record.lastError = nil
                entries.append(.put(key: asset.key, record: record))
                submitted.append(asset.key)
                emit(.submitted(key: asset.key, jobId: job.jobId, mediaId: job.mediaId))
            }
            entries.append(.done(intentId: marker))
            try await recorder.record(entries)
            report.withLock { $0.submitted += submitted.count }
            return submitted
        } catch let error as APIError where error.surelyNotExecuted {
            // Rejected or never sent: nothing was created. Record the failure so the next plan retries.
            var entries: [JournalEntry] = []
            for asset in batch.assets {
                var record =
                    previous[asset.key] ?? AssetRecord(asset: asset, appId: project.appId, status: .failed, time: now())
                record.status = .failed
                record.lastError = RecordedError(code: error.code, message: error.description)
                record.updatedAt = now()
                entries.append(.put(key: asset.key, record: record))
                fail(asset.key, error.code, error.description)
            }
            entries.append(.done(intentId: marker))
            try await recorder.record(entries)
            return []
        } catch let error as APIError {
            // Ambiguous: the call may have created jobs. Look before doing anything else.
            emit(
                .note(
                    "upload call \(marker) failed ambiguously (\(error.code)); looking its \(batch.assets.count) URL(s) up"
                ))
            let found: [URLUploadInfo]
            do {
                found = try await lookUp(batch.assets.map(\.source), marker: marker)
            } catch {
                // Unknown outcome: leave the intent open; the next apply resolves it before submitting anything.
                for asset in batch.assets {
                    fail(
                        asset.key, "Unresolved",
                        "the upload call's outcome is unknown (\(error.code)); the next apply looks it up first")
                }
                return []
            }
            var entries: [JournalEntry] = []
            var adopted: [String] = []
            var missing: [Asset] = []
            for asset in batch.assets {
                if let info = found.first(where: { UploadBatching.sameURL($0.uploadURL, asset.source) }) {
                    entries.append(
                        .put(
                            key: asset.key,
                            record: makeRecord(key: asset.key, asset: asset, previous: previous[asset.key], info: info))
                    )
                    adopted.append(asset.key)
                    emit(.submitted(key: asset.key, jobId: info.jobId, mediaId: info.mediaId))
                } else {
                    missing.append(asset)
                }
            }
            entries.append(.done(intentId: marker))
            try await recorder.record(entries)
            report.withLock { $0.submitted += adopted.count }
            guard !missing.isEmpty else { return adopted }
            // Not found: that part of the call had no effect. Submit it again, a bounded number of times.
            guard attempt < 3, !stop.isSet else {
                for asset in missing {
                    fail(asset.key, error.code, "\(error.description); not submitted after \(attempt) attempts")
                }
                return adopted
            }
            let again = try await submit(
                UploadBatch(assets: missing, group: batch.group), previous: previous, attempt: attempt + 1)
            return adopted + again
        }
    }

    /// Sets the manifest cache the final snapshot carries (`ManifestCache`).
    public func keep(_ cache: ManifestCache?) {
        recorder.keep(cache)
    }

    /// Writes the snapshot (serial + 1) and trims the journal.
    @discardableResult
    public func finish() async throws -> State {
        try await recorder.snapshot()
    }

    static func marker() -> String {
        var generator = SystemRandomNumberGenerator()
        return "mf-" + Digest.hex((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
