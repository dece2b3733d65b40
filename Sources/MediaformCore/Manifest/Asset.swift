/// One media asset as mediaform will submit it: the asset's own fields with the project defaults merged in.
public struct Asset: Sendable, Equatable {
    /// Stable identity within the project. Changing `source` under the same key is a replacement.
    public var key: String {
        _read { yield storage.value.key }
        _modify { yield &storage.value.key }
    }
    /// The source media URL, exactly as written (it may carry a signature; outputs show `redactedSource`).
    public var source: String {
        _read { yield storage.value.source }
        _modify { yield &storage.value.source }
    }
    public var title: String {
        _read { yield storage.value.title }
        _modify { yield &storage.value.title }
    }
    public var description: String? {
        _read { yield storage.value.description }
        _modify { yield &storage.value.description }
    }
    /// Defaults' tags first, then the asset's, without duplicates.
    public var tags: [String] {
        _read { yield storage.value.tags }
        _modify { yield &storage.value.tags }
    }
    /// The `CateId` sent; for a path, the ID the state records for it (nil until the category exists).
    public var category: Int64? {
        _read { yield storage.value.category }
        _modify { yield &storage.value.category }
    }
    /// The category as a path of the project's `categories:`, when the manifest names it so.
    public var categoryPath: String? {
        _read { yield storage.value.categoryPath }
        _modify { yield &storage.value.categoryPath }
    }
    public var cover: String? {
        _read { yield storage.value.cover }
        _modify { yield &storage.value.cover }
    }
    public var workflow: String? {
        _read { yield storage.value.workflow }
        _modify { yield &storage.value.workflow }
    }
    public var fileExtension: String? {
        _read { yield storage.value.fileExtension }
        _modify { yield &storage.value.fileExtension }
    }
    public var fileSize: Int64? {
        _read { yield storage.value.fileSize }
        _modify { yield &storage.value.fileSize }
    }
    /// Dynamic metadata, sent as the JSON text `DynamicMetaData`.
    public var metadata: [String: JSONValue]? {
        _read { yield storage.value.metadata }
        _modify { yield &storage.value.metadata }
    }
    public var entity: String? {
        _read { yield storage.value.entity }
        _modify { yield &storage.value.entity }
    }
    /// Never deleted by mediaform.
    public var protect: Bool {
        _read { yield storage.value.protect }
        _modify { yield &storage.value.protect }
    }
    /// Fields sent on the first upload and then left to the console (`ignoreChanges`): never planned as changes;
    /// an update sends the value the state recorded (a cover is not sent at all).
    public var ignoreChanges: ManagedFields {
        _read { yield storage.value.ignoreChanges }
        _modify { yield &storage.value.ignoreChanges }
    }
    /// Request level: `UserData.MessageCallback.CallbackURL`.
    public var callback: String? {
        _read { yield storage.value.callback }
        _modify { yield &storage.value.callback }
    }
    /// Request level: the user's part of `UserData.Extend`.
    public var extend: [String: JSONValue]? {
        _read { yield storage.value.extend }
        _modify { yield &storage.value.extend }
    }
    /// Request level: `UploadTargetConfig.StorageLocation` (VOD storage).
    public var storageLocation: String? {
        _read { yield storage.value.storageLocation }
        _modify { yield &storage.value.storageLocation }
    }
    /// Request level: `PostProcessConfig` workflow.
    public var postProcessWorkflow: String? {
        _read { yield storage.value.postProcessWorkflow }
        _modify { yield &storage.value.postProcessWorkflow }
    }
    /// Where the asset is declared.
    public var location: SourceLocation {
        _read { yield storage.value.location }
        _modify { yield &storage.value.location }
    }
    /// Where its `source:` value is (nil for assets built in code): diagnostics about the source point there.
    public var sourceLocation: SourceLocation? {
        _read { yield storage.value.sourceLocation }
        _modify { yield &storage.value.sourceLocation }
    }

    /// In one shared copy-on-write box (`CopyOnWrite`): a copy of this asset is one reference.
    private var storage: CopyOnWrite<Fields>

    private struct Fields: Sendable, Equatable {
        var key: String
        var source: String
        var title: String
        var description: String?
        var tags: [String]
        var category: Int64?
        var categoryPath: String?
        var cover: String?
        var workflow: String?
        var fileExtension: String?
        var fileSize: Int64?
        var metadata: [String: JSONValue]?
        var entity: String?
        var protect: Bool
        var ignoreChanges: ManagedFields
        var callback: String?
        var extend: [String: JSONValue]?
        var storageLocation: String?
        var postProcessWorkflow: String?
        var location: SourceLocation
        var sourceLocation: SourceLocation?
    }

    public init(
        key: String, source: String, title: String, description: String? = nil, tags: [String] = [],
        category: Int64? = nil, cover: String? = nil, workflow: String? = nil, fileExtension: String? = nil,
        fileSize: Int64? = nil, metadata: [String: JSONValue]? = nil, entity: String? = nil, protect: Bool = false,
        ignoreChanges: ManagedFields = [], callback: String? = nil, extend: [String: JSONValue]? = nil,
        storageLocation: String? = nil,
        postProcessWorkflow: String? = nil,
        location: SourceLocation = SourceLocation(file: "<memory>", line: 1, column: 1),
        sourceLocation: SourceLocation? = nil
    ) {
        storage = CopyOnWrite(
            Fields(
                key: key, source: source, title: title, description: description, tags: tags, category: category,
                categoryPath: nil, cover: cover, workflow: workflow, fileExtension: fileExtension, fileSize: fileSize,
                metadata: metadata, entity: entity, protect: protect, ignoreChanges: ignoreChanges, callback: callback,
                extend: extend, storageLocation: storageLocation, postProcessWorkflow: postProcessWorkflow,
                location: location, sourceLocation: sourceLocation))
    }

    /// The source as it may be shown and stored: without credentials or a signed query (see `URLRedaction`).
    public var redactedSource: String { URLRedaction.redact(source) }

    /// An `oss://bucket/object` source: registered in place with `RegisterMediaInfo`, not copied by URL upload.
    public var registersInPlace: Bool { source.hasPrefix("oss://") }

    /// The operation that creates this asset's media: `register` for `oss://` sources, `upload` otherwise.
    public var creatingOperation: RemoteOperation { registersInPlace ? .register : .upload }
}
