import Foundation
import MediaformCore

extension Applier {
    // MARK: - Tracking

    /// Polls `GetUrlUploadInfos` (`APILimits.urlUploadInfosPerCall` job IDs a call) for every submitted or processing asset, once (`rounds == 1`,
    /// `refresh`) or until they all end or `timeout` seconds pass (`apply --wait`).
    /// - Returns: how many are still running.
    @discardableResult
    public func track(timeout: Double, rounds: Int = .max, clock: any APIClock = SystemClock()) async throws -> Int {
        let start = clock.now()
        var round = 0
        while true {
            round += 1
            let state = recorder.state
            let running = state.assets.filter { $0.value.status.isRunning }
                .compactMap { key, record in record.jobId.map { (key: key, jobId: $0, record: record) } }
                .sorted { $0.key < $1.key }
            report.withLock { $0.running = running.count }
            if running.isEmpty || stop.isSet { return running.count }
            for chunk in running.chunks(of: APILimits.urlUploadInfosPerCall) {
                if stop.isSet { break }
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
                let left = recorder.state.assets.values.filter(\.status.isRunning).count
                report.withLock { $0.running = left }
                return left
            }
            try await clock.sleep(seconds: options.pollInterval)
        }
    }

    /// Writes the snapshot (serial + 1) and trims the journal.
}
