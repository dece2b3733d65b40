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
        _read { yield storage.value.source }
        _modify { yield &storage.value.source }
    }
    /// The mutable fingerprint is computed when asked, from `fields`, unless one that differs was recorded (see
    /// `Fields.mutablePrint`): a plan that skips unchanged files never computes those of their records.
    public var fingerprints: Fingerprints {
        get {
            Fingerprints(upload: storage.value.uploadPrint, mutable: storage.value.mutablePrint ?? fields.fingerprint)
        }
        set {
            storage.value.uploadPrint = newValue.upload
            storage.value.keepMutablePrint(newValue.mutable)
        }
    }
    /// Setting the fields keeps the mutable fingerprint as it was (as a stored record's did before it was left
    /// out): whoever records new values also records their fingerprint, as apply and refresh do.
    public var fields: MutableFieldValues {
        _read { yield storage.value.fields }
        set {
            let print = storage.value.mutablePrint ?? storage.value.fields.fingerprint
            storage.value.fields = newValue
            storage.value.keepMutablePrint(print)
        }
    }
    /// The mutable fingerprint when it is not what `fields` give (a record written by an older mediaform, or
    /// by hand); nil when it is, the usual case, which costs nothing until asked.
    var recordedMutablePrint: String? { storage.value.mutablePrint }
    /// `fingerprints.upload`, without computing the mutable one.
    var uploadPrint: String { storage.value.uploadPrint }
    /// The upload-time inputs as last uploaded (what the upload fingerprint hashes, without the source), so that a
    /// plan can say which input forces a replacement. Nil in records written before this was kept.
    public var uploadInputs: [String: JSONValue]? {
        _read { yield storage.value.uploadInputs }
        _modify { yield &storage.value.uploadInputs }
    }
    public var jobId: String? {
        _read { yield storage.value.jobId }
        _modify { yield &storage.value.jobId }
    }
    public var mediaId: String? {
        _read { yield storage.value.mediaId }
        _modify { yield &storage.value.mediaId }
    }
    public var status: AssetStatus {
        _read { yield storage.value.status }
        _modify { yield &storage.value.status }
    }
    /// Protected assets are never deleted, even after they leave the manifests.
    public var protect: Bool {
        _read { yield storage.value.protect }
        _modify { yield &storage.value.protect }
    }
    /// When the asset was first submitted (ISO 8601, UTC).
    public var createdAt: String {
        _read { yield storage.value.createdAt }
        _modify { yield &storage.value.createdAt }
    }
    /// When the record last changed.
    public var updatedAt: String {
        _read { yield storage.value.updatedAt }
        _modify { yield &storage.value.updatedAt }
    }
    public var lastError: RecordedError? {
        _read { yield storage.value.lastError }
        _modify { yield &storage.value.lastError }
    }
    /// The managed fields the library changed outside mediaform, as last read by a refresh (their new values are
    /// in `fields`); empty when the record is in step with what mediaform last sent.
    public var drift: ManagedFields {
        _read { yield storage.value.drift }
        _modify { yield &storage.value.drift }
    }

    /// In one shared copy-on-write box (`CopyOnWrite`): a copy of this record is one reference.
    private var storage: CopyOnWrite<Fields>

    private struct Fields: Sendable, Equatable {
        var source: String
        var uploadPrint: String
        /// Nil when it is `fields.fingerprint` (kept so by `keepMutablePrint`, so that equal records compare
        /// equal whichever way they were made).
        var mutablePrint: String?
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

        mutating func keepMutablePrint(_ print: String) {
            mutablePrint = print == fields.fingerprint ? nil : print
        }
    }

    public init(
        source: String, fingerprints: Fingerprints, fields: MutableFieldValues,
        uploadInputs: [String: JSONValue]? = nil,
        jobId: String? = nil,
        mediaId: String? = nil, status: AssetStatus, protect: Bool = false, createdAt: String, updatedAt: String,
        lastError: RecordedError? = nil
    ) {
        self.init(
            source: source, uploadPrint: fingerprints.upload, recordedMutablePrint: fingerprints.mutable,
            fields: fields,
            uploadInputs: uploadInputs, jobId: jobId, mediaId: mediaId, status: status, protect: protect,
            createdAt: createdAt, updatedAt: updatedAt, lastError: lastError, drift: [])
    }

    /// A record with a recorded mutable fingerprint (kept only when it is not what `fields` give), or, as read, none
    /// when the stored record had none: format 2 leaves out what the values give, and it is computed when asked.
    init(
        source: String, uploadPrint: String, recordedMutablePrint: String?, fields: MutableFieldValues,
        uploadInputs: [String: JSONValue]?, jobId: String?, mediaId: String?, status: AssetStatus, protect: Bool,
        createdAt: String, updatedAt: String, lastError: RecordedError?, drift: ManagedFields
    ) {
        var values = Fields(
            source: source, uploadPrint: uploadPrint, mutablePrint: nil, fields: fields, uploadInputs: uploadInputs,
            jobId: jobId, mediaId: mediaId, status: status, protect: protect, createdAt: createdAt,
            updatedAt: updatedAt, lastError: lastError, drift: drift)
        if let recordedMutablePrint { values.keepMutablePrint(recordedMutablePrint) }
        storage = CopyOnWrite(values)
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
