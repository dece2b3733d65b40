import Foundation

/// What mediaform knows about the remote media library: one record per asset key (docs/design.md §4).
///
/// The state is the only memory of what was uploaded. It is never reset implicitly: a missing record means
/// "upload again", so an unreadable state file is an error, not an empty state.
public struct State: Sendable, Equatable {
    /// The newest state format this build reads and writes.
    public static let formatVersion = 1

    /// Identifies one state's history; a saved plan made against another lineage is refused.
    public var lineage: String
    /// Incremented on every write; a saved plan made against another serial is stale.
    public var serial: Int
    /// The mediaform that wrote the state (`mediaform 0.1.0`).
    public var generator: String
    /// The sequence number of the last journal record folded into this snapshot.
    public var journalSequence: Int
    public var assets: [String: AssetRecord]

    public init(
        lineage: String, serial: Int = 0, generator: String, journalSequence: Int = 0,
        assets: [String: AssetRecord] = [:]
    ) {
        self.lineage = lineage
        self.serial = serial
        self.generator = generator
        self.journalSequence = journalSequence
        self.assets = assets
    }
}

extension State {
    /// This state as the next snapshot records it: serial + 1, written by `generator`, and `newLineage` on the first
    /// write of a state (the caller mints it: Core has no source of randomness).
    public func nextSnapshot(generator: String, newLineage: @autoclosure () -> String) -> State {
        var next = self
        next.serial += 1
        next.generator = generator
        if next.lineage.isEmpty { next.lineage = newLineage() }
        return next
    }
}

/// The lifecycle of an asset's upload job.
public enum AssetStatus: String, Sendable, Equatable, CaseIterable {
    /// UploadMediaByURL accepted the URL; the job has not been seen running yet.
    case submitted
    /// The job is running.
    case processing
    /// The media exists and the job ended successfully.
    case ready
    /// The job ended in failure; the next apply retries it.
    case failed

    /// Submitted or processing: a job that has not ended.
    public var isRunning: Bool { self == .submitted || self == .processing }
}

/// The managed fields as last applied: what `UpdateMediaInfo` can change, kept so that a plan can show old → new.
public struct MutableFieldValues: Sendable, Equatable {
    public var title: String
    public var description: String?
    public var tags: [String]
    public var category: Int64?
    /// Redacted (no signed query).
    public var cover: String?

    public init(
        title: String, description: String? = nil, tags: [String] = [], category: Int64? = nil, cover: String? = nil
    ) {
        self.title = title
        self.description = description
        self.tags = tags
        self.category = category
        self.cover = cover
    }

    /// The values of an effective asset, as they would be stored.
    public init(_ asset: Asset) {
        self.init(
            title: asset.title, description: asset.description, tags: asset.tags, category: asset.category,
            cover: asset.cover.map(URLRedaction.redact))
    }
}

/// An error reported by the API for an asset.
public struct RecordedError: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What the state holds for one asset.
public struct AssetRecord: Sendable, Equatable {
    /// The source without credentials or signed query.
    public var source: String
    public var fingerprints: Fingerprints
    public var fields: MutableFieldValues
    /// The upload-time inputs as last uploaded (what the upload fingerprint hashes, without the source), so that a
    /// plan can say which input forces a replacement. Nil in records written before this was kept.
    public var uploadInputs: [String: JSONValue]?
    public var jobId: String?
    public var mediaId: String?
    public var status: AssetStatus
    /// Protected assets are never deleted, even after they leave the manifests.
    public var protect: Bool
    /// When the asset was first submitted (ISO 8601, UTC).
    public var createdAt: String
    /// When the record last changed.
    public var updatedAt: String
    public var lastError: RecordedError?

    public init(
        source: String, fingerprints: Fingerprints, fields: MutableFieldValues,
        uploadInputs: [String: JSONValue]? = nil,
        jobId: String? = nil,
        mediaId: String? = nil, status: AssetStatus, protect: Bool = false, createdAt: String, updatedAt: String,
        lastError: RecordedError? = nil
    ) {
        self.source = source
        self.fingerprints = fingerprints
        self.fields = fields
        self.uploadInputs = uploadInputs
        self.jobId = jobId
        self.mediaId = mediaId
        self.status = status
        self.protect = protect
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastError = lastError
    }
}

extension AssetRecord {
    /// The record of `asset` as uploaded now: its fingerprints, fields and inputs, with the job's IDs.
    public init(
        asset: Asset, appId: String, status: AssetStatus, jobId: String? = nil, mediaId: String? = nil, time: String,
        createdAt: String? = nil
    ) {
        var inputs = asset.uploadInputs(appId: appId).objectValue ?? [:]
        inputs["source"] = nil
        self.init(
            source: asset.redactedSource, fingerprints: asset.fingerprints(appId: appId),
            fields: MutableFieldValues(asset),
            uploadInputs: inputs, jobId: jobId, mediaId: mediaId, status: status, protect: asset.protect,
            createdAt: createdAt ?? time, updatedAt: time)
    }
}
