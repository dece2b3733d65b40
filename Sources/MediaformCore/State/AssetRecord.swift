import Foundation

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
    public var source: String {
        get { storage.value.source }
        _modify { yield &storage.value.source }
    }
    public var fingerprints: Fingerprints {
        get { storage.value.fingerprints }
        _modify { yield &storage.value.fingerprints }
    }
    public var fields: MutableFieldValues {
        get { storage.value.fields }
        _modify { yield &storage.value.fields }
    }
    /// The upload-time inputs as last uploaded (what the upload fingerprint hashes, without the source), so that a
    /// plan can say which input forces a replacement. Nil in records written before this was kept.
    public var uploadInputs: [String: JSONValue]? {
        get { storage.value.uploadInputs }
        _modify { yield &storage.value.uploadInputs }
    }
    public var jobId: String? {
        get { storage.value.jobId }
        _modify { yield &storage.value.jobId }
    }
    public var mediaId: String? {
        get { storage.value.mediaId }
        _modify { yield &storage.value.mediaId }
    }
    public var status: AssetStatus {
        get { storage.value.status }
        _modify { yield &storage.value.status }
    }
    /// Protected assets are never deleted, even after they leave the manifests.
    public var protect: Bool {
        get { storage.value.protect }
        _modify { yield &storage.value.protect }
    }
    /// When the asset was first submitted (ISO 8601, UTC).
    public var createdAt: String {
        get { storage.value.createdAt }
        _modify { yield &storage.value.createdAt }
    }
    /// When the record last changed.
    public var updatedAt: String {
        get { storage.value.updatedAt }
        _modify { yield &storage.value.updatedAt }
    }
    public var lastError: RecordedError? {
        get { storage.value.lastError }
        _modify { yield &storage.value.lastError }
    }
    /// The managed fields the library changed outside mediaform, as last read by a refresh (their new values are
    /// in `fields`); empty when the record is in step with what mediaform last sent.
    public var drift: ManagedFields {
        get { storage.value.drift }
        _modify { yield &storage.value.drift }
    }

    /// In one shared copy-on-write box (`CopyOnWrite`): a copy of this record is one reference.
    private var storage: CopyOnWrite<Fields>

    private struct Fields: Sendable, Equatable {
        var source: String
        var fingerprints: Fingerprints
        var fields: MutableFieldValues
        var uploadInputs: [String: JSONValue]?
        var jobId: String?
        var mediaId: String?
        var status: AssetStatus
        var protect: Bool
        var createdAt: String
        var updatedAt: String
        var lastError: RecordedError?
        var drift: ManagedFields
    }

    public init(
        source: String, fingerprints: Fingerprints, fields: MutableFieldValues,
        uploadInputs: [String: JSONValue]? = nil,
        jobId: String? = nil,
        mediaId: String? = nil, status: AssetStatus, protect: Bool = false, createdAt: String, updatedAt: String,
        lastError: RecordedError? = nil
    ) {
        storage = CopyOnWrite(
            Fields(
                source: source, fingerprints: fingerprints, fields: fields, uploadInputs: uploadInputs, jobId: jobId,
                mediaId: mediaId, status: status, protect: protect, createdAt: createdAt, updatedAt: updatedAt,
                lastError: lastError, drift: []))
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

extension AssetRecord {
    /// The record of a media found in the library as `asset`'s upload (`import`, `state rebuild`): the manifest's
    /// upload inputs, the library's values of the managed fields with their fingerprint (so the next plan updates
    /// whatever differs from the manifest), and the library's status.
    public init(adopting asset: Asset, remote: RemoteMedia, appId: String, time: String) {
        self.init(asset: asset, appId: appId, status: remote.status, mediaId: remote.mediaId, time: time)
        fields = MutableFieldValues(
            title: remote.title ?? "", description: remote.description.flatMap { $0.isEmpty ? nil : $0 },
            tags: remote.tags, category: remote.category, cover: remote.cover.map(URLRedaction.redact))
        fingerprints.mutable = fields.fingerprint
        if remote.status == .failed {
            let status = remote.statusText ?? "PrepareFail"
            lastError = RecordedError(code: status, message: "the media's status in IMS is \(status)")
        }
    }
}
