import Foundation
import MediaformCore

extension Applier {
    // MARK: - Interrupted runs

    /// Resolves the intents an interrupted run left open: jobs carrying their marker are adopted; keys with no such
    /// job were never submitted. Updates and deletes are idempotent and simply closed.
    /// - Parameter assets: the manifest's assets by key (for the full source URLs).
    /// - Throws: when a lookup fails: nothing may be submitted before the interrupted calls are known.
    public func resolveInterrupted(assets: [String: Asset]) async throws {
        let open = recorder.unresolved
        guard !open.isEmpty else { return }
        emit(.note("resolving \(open.count) call(s) left open by an interrupted apply"))
        for intent in open {
            if intent.operation == .register {
                try await resolveRegistration(intent, assets: assets)
                continue
            }
            guard intent.operation == .upload else {
                try await recorder.record([.done(intentId: intent.id)])
                continue
            }
            var entries: [JournalEntry] = []
            let state = recorder.state
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

    /// Sends an interrupted registration again with the same token: IMS answers with the media it registered then,
    /// if it did, or registers it now, once. An asset that left the manifests cannot be sent again; the intent is
    /// closed with a note (a registration that happened shows up in `state rebuild` and `import --all`).
    func resolveRegistration(_ intent: Intent, assets: [String: Asset]) async throws {
        for key in intent.keys {
            guard let asset = assets[key], asset.registersInPlace else {
                emit(
                    .note(
                        "an interrupted registration of '\(key)' cannot be resolved: the asset is no longer an oss:// "
                            + "source in the manifests; 'mediaform import --all' finds its media if it was registered"))
                try await recorder.record([.done(intentId: intent.id)])
                continue
            }
            if try await register(asset, previous: recorder.state.assets[key], intentId: intent.id, resolving: true) {
                report.withLock { $0.adopted += 1 }
            }
        }
    }

    /// Jobs for `urls` whose `UserData` carries `marker` (looked up `APILimits.urlUploadInfosPerCall` URLs a call).
    func lookUp(_ urls: [String], marker: String) async throws(APIError) -> [URLUploadInfo] {
        var found: [URLUploadInfo] = []
        for chunk in urls.chunks(of: APILimits.urlUploadInfosPerCall) {
            let result = try await client.getUrlUploadInfos(uploadURLs: Array(chunk))
            found += result.infos.filter { UploadBatching.userData($0.userData, carries: marker) }
        }
        return found
    }

    func makeRecord(key: String, asset: Asset?, previous: AssetRecord?, info: URLUploadInfo) -> AssetRecord {
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

}
