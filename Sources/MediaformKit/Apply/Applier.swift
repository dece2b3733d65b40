import Foundation
import MediaformCore
import Synchronization

/// Options of one apply run.
public struct ApplyOptions: Sendable {
    /// Stop dispatching new calls after the first failed asset.
    public var failFast: Bool
    /// Seconds between polls while waiting for jobs.
    public var pollInterval: Double
    /// Calls dispatched at once (the client's own limit should be the same): a stop request takes effect after
    /// at most this many calls in flight.
    public var parallelism: Int

    public init(failFast: Bool = false, pollInterval: Double = 1, parallelism: Int = Project.Limits.defaultParallelism)
    {
        self.failFast = failFast
        self.pollInterval = pollInterval
        self.parallelism = max(1, parallelism)
    }
}

/// Something that happened during apply, for progress output (one JSON event per transition under
/// `--format json`).
public enum ApplyEvent: Sendable {
    case submitted(key: String, jobId: String, mediaId: String?)
    case updated(key: String)
    case deleted(key: String)
    case forgotten(key: String)
    case failed(key: String, code: String, message: String)
    case jobEnded(key: String, status: AssetStatus, code: String?, message: String?)
    case adopted(key: String, jobId: String)
    case note(String)
}

/// A failed asset in the end report.
public struct AssetFailure: Sendable, Equatable {
    public var key: String
    public var code: String
    public var message: String
}

/// What an apply run did.
public struct ApplyReport: Sendable {
    public var submitted = 0
    public var updated = 0
    public var deleted = 0
    public var forgotten = 0
    public var adopted = 0
    public var failures: [AssetFailure] = []
    /// Calls whose outcome could not be established; they are resolved at the start of the next apply.
    public var unresolved = 0
    public var interrupted = false
    /// Jobs still running when apply returned.
    public var running = 0
    public var ready = 0

    public init() {}
}

/// A flag set by the first Ctrl-C: no new call is dispatched; calls in flight finish and are recorded.
public final class StopFlag: Sendable {
    private let value = Mutex(false)
    public init() {}
    public var isSet: Bool { value.withLock { $0 } }
    public func set() { value.withLock { $0 = true } }
}

/// Keeps the state in step with the journal: every change is appended (and synced) before it counts.
actor StateRecorder {
    private let lock: any StateLock
    private(set) var state: State
    private(set) var unresolved: [Intent]

    init(lock: any StateLock, state: State, unresolved: [Intent]) {
        self.lock = lock
        self.state = state
        self.unresolved = unresolved
    }

    func record(_ entries: [JournalEntry]) throws(StateError) {
        try lock.append(entries)
        for entry in entries {
            switch entry {
            case .put(let key, let record): state.assets[key] = record
            case .remove(let key): state.assets[key] = nil
            case .intent(let intent): unresolved.append(intent)
            case .done(let id): unresolved.removeAll { $0.id == id }
            }
        }
    }

    func snapshot() throws(StateError) -> State {
        try lock.writeSnapshot(state, unresolved: unresolved)
    }
}

/// Carries out a plan against the API, exactly once per upload (design §5):
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
    private let report = Mutex(ApplyReport())

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
    public var state: State {
        get async { await recorder.state }
    }

    public var currentReport: ApplyReport { report.withLock { $0 } }

    private func fail(_ key: String, _ code: String, _ message: String) {
        report.withLock { $0.failures.append(AssetFailure(key: key, code: code, message: message)) }
        emit(.failed(key: key, code: code, message: message))
        if options.failFast { stop.set() }
    }

    // MARK: - Interrupted runs

    /// Resolves the intents an interrupted run left open: jobs carrying their marker are adopted; keys with no such
    /// job were never submitted. Updates and deletes are idempotent and simply closed.
    /// - Parameter assets: the manifest's assets by key (for the full source URLs).
    /// - Throws: when a lookup fails: nothing may be submitted before the interrupted calls are known.
    public func resolveInterrupted(assets: [String: Asset]) async throws {
        let open = await recorder.unresolved
        guard !open.isEmpty else { return }
        emit(.note("resolving \(open.count) call(s) left open by an interrupted apply"))
        for intent in open {
            guard intent.operation == "upload" else {
                try await recorder.record([.done(intentId: intent.id)])
                continue
            }
            var entries: [JournalEntry] = []
            let state = await recorder.state
            let sources = intent.keys.compactMap { key -> (String, String)? in
                if let asset = assets[key] { return (key, asset.source) }
                if let record = state.assets[key] { return (key, record.source) }
                return nil
            }
            let found = try await lookUp(sources.map(\.1), marker: intent.id)
            for (key, source) in sources {
                guard let info = found.first(where: { UploadBatching.sameURL($0.uploadURL, source) }) else { continue }
                let asset = assets[key]
                let record = makeRecord(key: key, asset: asset, previous: state.assets[key], info: info)
                entries.append(.put(key: key, record: record))
                report.withLock { $0.adopted += 1 }
                emit(.adopted(key: key, jobId: info.jobId))
            }
            entries.append(.done(intentId: intent.id))
            try await recorder.record(entries)
        }
    }

    /// Jobs for `urls` whose `UserData` carries `marker` (looked up 10 URLs at a time).
    func lookUp(_ urls: [String], marker: String) async throws(APIError) -> [URLUploadInfo] {
        var found: [URLUploadInfo] = []
        var start = 0
        while start < urls.count {
            let chunk = Array(urls[start..<min(start + 10, urls.count)])
            let result = try await client.getUrlUploadInfos(uploadURLs: chunk)
            found += result.infos.filter { UploadBatching.userData($0.userData, carries: marker) }
            start += 10
        }
        return found
    }

    private func makeRecord(key: String, asset: Asset?, previous: AssetRecord?, info: URLUploadInfo) -> AssetRecord {
        let status = info.assetStatus
        var record: AssetRecord
        if let asset {
            record = AssetRecord(
                asset: asset, appId: project.appId, status: status, jobId: info.jobId, mediaId: info.mediaId,
                time: now(), createdAt: previous?.createdAt)
        } else if var previous {
            previous.jobId = info.jobId
            previous.mediaId = info.mediaId
            previous.status = status
            previous.updatedAt = now()
            record = previous
        } else {
            record = AssetRecord(
                source: URLRedaction.redact(info.uploadURL), fingerprints: Fingerprints(upload: "", mutable: ""),
                fields: MutableFieldValues(title: ""), jobId: info.jobId, mediaId: info.mediaId, status: status,
                createdAt: now(), updatedAt: now())
        }
        if status == .failed { record.lastError = info.recordedError }
        return record
    }

    // MARK: - Apply

    /// Applies `plan` (made against the state this applier holds). Returns what happened; never throws for a
    /// per-asset failure, only when the state itself cannot be written.
    public func apply(_ plan: Plan) async throws -> ApplyReport {
        let uploads = plan.changes.filter { [.create, .retry, .replace].contains($0.action) }.compactMap(\.asset)
        let previous = Dictionary(
            plan.changes.compactMap { c in c.record.map { (c.key, $0) } }, uniquingKeysWith: { a, _ in a })

        // Uploads, batched by request-level parameters, in parallel under the client's limits.
        let batches = UploadBatching.batches(uploads, appId: project.appId)
        var submittedKeys: [String] = []
        try await withThrowingTaskGroup(of: [String].self) { group in
            var inFlight = 0
            for batch in batches {
                // Keep a bounded window of batches in flight: memory follows the window, not the plan, and
                // a stop request holds back everything not yet dispatched.
                if inFlight >= options.parallelism, let done = try await group.next() {
                    submittedKeys += done
                    inFlight -= 1
                }
                if stop.isSet { break }
                group.addTask { try await self.submit(batch, previous: previous, attempt: 1) }
                inFlight += 1
            }
            for try await done in group { submittedKeys += done }
        }
        // Under prune, a replaced asset's old media goes once its new upload is submitted.
        let replacedMedia: [(key: String, mediaId: String)] =
            plan.prune
            ? submittedKeys.compactMap { key in
                guard let r = previous[key], !r.protect, let m = r.mediaId else { return nil }
                return (key, m)
            }
            : []

        // Updates: the full managed set, tags overwritten.
        let updates = plan.changes.filter { $0.action == .update }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for change in updates {
                guard let asset = change.asset, let record = change.record, let mediaId = record.mediaId else {
                    continue
                }
                if inFlight >= options.parallelism {
                    try await group.next()
                    inFlight -= 1
                }
                if stop.isSet { break }
                group.addTask { try await self.update(asset, record: record, mediaId: mediaId) }
                inFlight += 1
            }
            try await group.waitForAll()
        }

        // Deletes: removed assets under prune, and the old media of replaced assets.
        var deletions: [(key: String, mediaId: String?, forget: Bool)] = []
        for change in plan.changes where change.action == .delete {
            deletions.append((change.key, change.record?.mediaId, true))
        }
        for old in replacedMedia { deletions.append((old.key, old.mediaId, false)) }
        if !stop.isSet { try await delete(deletions) }

        var result = report.withLock { $0 }
        result.interrupted = stop.isSet
        result.unresolved = await recorder.unresolved.count
        return result
    }

    /// Submits one batch; returns the keys that got a job.
    private func submit(_ batch: UploadBatch, previous: [String: AssetRecord], attempt: Int) async throws -> [String] {
        let marker = Self.marker()
        let keys = batch.assets.map(\.key)
        try await recorder.record([.intent(Intent(id: marker, operation: "upload", keys: keys))])
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

    private func update(_ asset: Asset, record: AssetRecord, mediaId: String) async throws {
        do {
            try await client.updateMediaInfo(
                mediaId: mediaId, title: asset.title, description: asset.description, tags: asset.tags,
                cateId: asset.category,
                coverURL: asset.cover)
        } catch {
            fail(asset.key, error.code, error.description)
            return
        }
        var updated = record
        updated.fields = MutableFieldValues(asset)
        updated.fingerprints.mutable = asset.fingerprints(appId: project.appId).mutable
        updated.protect = asset.protect
        updated.updatedAt = now()
        try await recorder.record([.put(key: asset.key, record: updated)])
        report.withLock { $0.updated += 1 }
        emit(.updated(key: asset.key))
    }

    private func delete(_ deletions: [(key: String, mediaId: String?, forget: Bool)]) async throws {
        // Records without media are only forgotten.
        let forgetOnly = deletions.filter { $0.mediaId == nil && $0.forget }
        if !forgetOnly.isEmpty {
            try await recorder.record(forgetOnly.map { .remove(key: $0.key) })
            report.withLock { $0.forgotten += forgetOnly.count }
            for d in forgetOnly { emit(.forgotten(key: d.key)) }
        }
        let withMedia = deletions.filter { $0.mediaId != nil }
        var start = 0
        // The per-call maximum of DeleteMediaInfos is UNCONFIRMED; 20 is conservative.
        while start < withMedia.count, !stop.isSet {
            let chunk = Array(withMedia[start..<min(start + 20, withMedia.count)])
            start += 20
            let ids = chunk.compactMap(\.mediaId)
            let intent = Intent(id: Self.marker(), operation: "delete", keys: chunk.map(\.key))
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
        let state = await recorder.state
        var entries: [JournalEntry] = []
        for asset in assets {
            guard var record = state.assets[asset.key], record.protect != asset.protect else { continue }
            record.protect = asset.protect
            entries.append(.put(key: asset.key, record: record))
        }
        if !entries.isEmpty { try await recorder.record(entries) }
    }

    // MARK: - Tracking

    /// Polls `GetUrlUploadInfos` (10 job IDs a call) for every submitted or processing asset, once (`rounds == 1`,
    /// `refresh`) or until they all end or `timeout` seconds pass (`apply --wait`).
    /// - Returns: how many are still running.
    @discardableResult
    public func track(timeout: Double, rounds: Int = .max, clock: any APIClock = SystemClock()) async throws -> Int {
        let start = clock.now()
        var round = 0
        while true {
            round += 1
            let state = await recorder.state
            let running = state.assets.filter { $0.value.status == .submitted || $0.value.status == .processing }
                .compactMap { key, record in record.jobId.map { (key: key, jobId: $0, record: record) } }
                .sorted { $0.key < $1.key }
            report.withLock { $0.running = running.count }
            if running.isEmpty || stop.isSet { return running.count }
            var index = 0
            while index < running.count, !stop.isSet {
                let chunk = Array(running[index..<min(index + 10, running.count)])
                index += 10
                let result: (infos: [URLUploadInfo], nonExists: [String])
                do {
                    result = try await client.getUrlUploadInfos(jobIds: chunk.map(\.jobId))
                } catch {
                    emit(.note("could not poll \(chunk.count) job(s): \(error)"))
                    continue
                }
                var entries: [JournalEntry] = []
                for item in chunk {
                    guard let info = result.infos.first(where: { $0.jobId == item.jobId }) else { continue }
                    var record = item.record
                    let status = info.assetStatus
                    guard status != record.status else { continue }
                    record.status = status
                    record.mediaId = info.mediaId ?? record.mediaId
                    record.updatedAt = now()
                    if status == .failed {
                        record.lastError = info.recordedError
                        fail(item.key, record.lastError?.code ?? "UploadFailed", record.lastError?.message ?? "")
                    }
                    if status == .ready { report.withLock { $0.ready += 1 } }
                    entries.append(.put(key: item.key, record: record))
                    if status != .processing {
                        emit(
                            .jobEnded(
                                key: item.key, status: status, code: record.lastError?.code,
                                message: record.lastError?.message))
                    }
                }
                if !entries.isEmpty { try await recorder.record(entries) }
            }
            if round >= rounds || clock.now() - start >= timeout {
                let left = await recorder.state.assets.values.filter {
                    $0.status == .submitted || $0.status == .processing
                }.count
                report.withLock { $0.running = left }
                return left
            }
            try await clock.sleep(seconds: options.pollInterval)
        }
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

extension URLUploadInfo {
    /// The record status a job's outcome means.
    var assetStatus: AssetStatus {
        switch outcome {
        case .succeeded: .ready
        case .failed: .failed
        case .running: .processing
        }
    }

    /// The error to record for a failed job: its error code, or its status when it has none.
    var recordedError: RecordedError {
        RecordedError(code: errorCode.flatMap { $0.isEmpty ? nil : $0 } ?? status, message: errorMessage ?? "")
    }
}
