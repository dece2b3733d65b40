/// One media asset as mediaform will submit it: the asset's own fields with the project defaults merged in.
public struct Asset: Sendable, Equatable {
    /// Stable identity within the project. Changing `source` under the same key is a replacement.
    public var key: String {
        get { storage.key }
        _modify { yield &unique().key }
    }
    /// The source media URL, exactly as written (it may carry a signature; outputs show `redactedSource`).
    public var source: String {
        get { storage.source }
        _modify { yield &unique().source }
    }
    public var title: String {
        get { storage.title }
        _modify { yield &unique().title }
    }
    public var description: String? {
        get { storage.description }
        _modify { yield &unique().description }
    }
    /// Defaults' tags first, then the asset's, without duplicates.
    public var tags: [String] {
        get { storage.tags }
        _modify { yield &unique().tags }
    }
    /// The `CateId` sent; for a path, the ID the state records for it (nil until the category exists).
    public var category: Int64? {
        get { storage.category }
        _modify { yield &unique().category }
    }
    /// The category as a path of the project's `categories:`, when the manifest names it so.
    public var categoryPath: String? {
        get { storage.categoryPath }
        _modify { yield &unique().categoryPath }
    }
    public var cover: String? {
        get { storage.cover }
        _modify { yield &unique().cover }
    }
    public var workflow: String? {
        get { storage.workflow }
        _modify { yield &unique().workflow }
    }
    public var fileExtension: String? {
        get { storage.fileExtension }
        _modify { yield &unique().fileExtension }
    }
    public var fileSize: Int64? {
        get { storage.fileSize }
        _modify { yield &unique().fileSize }
    }
    /// Dynamic metadata, sent as the JSON text `DynamicMetaData`.
    public var metadata: [String: JSONValue]? {
        get { storage.metadata }
        _modify { yield &unique().metadata }
    }
    public var entity: String? {
        get { storage.entity }
        _modify { yield &unique().entity }
    }
    /// Never deleted by mediaform.
    public var protect: Bool {
        get { storage.protect }
        _modify { yield &unique().protect }
    }
    /// Fields sent on the first upload and then left to the console (`ignoreChanges`): never planned as changes;
    /// an update sends the value the state recorded (a cover is not sent at all).
    public var ignoreChanges: ManagedFields {
        get { storage.ignoreChanges }
        _modify { yield &unique().ignoreChanges }
    }
    /// Request level: `UserData.MessageCallback.CallbackURL`.
    public var callback: String? {
        get { storage.callback }
        _modify { yield &unique().callback }
    }
    /// Request level: the user's part of `UserData.Extend`.
    public var extend: [String: JSONValue]? {
        get { storage.extend }
        _modify { yield &unique().extend }
    }
    /// Request level: `UploadTargetConfig.StorageLocation` (VOD storage).
    public var storageLocation: String? {
        get { storage.storageLocation }
        _modify { yield &unique().storageLocation }
    }
    /// Request level: `PostProcessConfig` workflow.
    public var postProcessWorkflow: String? {
        get { storage.postProcessWorkflow }
        _modify { yield &unique().postProcessWorkflow }
    }
    /// Where the asset is declared.
    public var location: SourceLocation {
        get { storage.location }
        _modify { yield &unique().location }
    }
    /// Where its `source:` value is (nil for assets built in code): diagnostics about the source point there.
    public var sourceLocation: SourceLocation? {
        get { storage.sourceLocation }
        _modify { yield &unique().sourceLocation }
    }

    /// The fields live in one shared, copy-on-write box: an asset is copied wherever it is planned, rendered,
    /// checked or recorded, and a copy of twenty fields retained one by one was a large share of a 100,000-asset
    /// plan; a copy is now one retain, and a field set on a shared asset copies the box first.
    private var storage: Storage

    private final class Storage: @unchecked Sendable {
        // @unchecked: mutated only through `unique()`, when this asset holds the only reference.
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

        init(
            key: String, source: String, title: String, description: String?, tags: [String], category: Int64?,
            categoryPath: String?, cover: String?, workflow: String?, fileExtension: String?, fileSize: Int64?,
            metadata: [String: JSONValue]?, entity: String?, protect: Bool, ignoreChanges: ManagedFields,
            callback: String?, extend: [String: JSONValue]?, storageLocation: String?, postProcessWorkflow: String?,
            location: SourceLocation, sourceLocation: SourceLocation?
        ) {
            self.key = key
            self.source = source
            self.title = title
            self.description = description
            self.tags = tags
            self.category = category
            self.categoryPath = categoryPath
            self.cover = cover
            self.workflow = workflow
            self.fileExtension = fileExtension
            self.fileSize = fileSize
            self.metadata = metadata
            self.entity = entity
            self.protect = protect
            self.ignoreChanges = ignoreChanges
            self.callback = callback
            self.extend = extend
            self.storageLocation = storageLocation
            self.postProcessWorkflow = postProcessWorkflow
            self.location = location
            self.sourceLocation = sourceLocation
        }

        func copy() -> Storage {
            Storage(
                key: key, source: source, title: title, description: description, tags: tags, category: category,
                categoryPath: categoryPath, cover: cover, workflow: workflow, fileExtension: fileExtension,
                fileSize: fileSize, metadata: metadata, entity: entity, protect: protect, ignoreChanges: ignoreChanges,
                callback: callback, extend: extend, storageLocation: storageLocation,
                postProcessWorkflow: postProcessWorkflow, location: location, sourceLocation: sourceLocation)
        }
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
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
        storage = Storage(
            key: key, source: source, title: title, description: description, tags: tags, category: category,
            categoryPath: nil, cover: cover, workflow: workflow, fileExtension: fileExtension, fileSize: fileSize,
            metadata: metadata, entity: entity, protect: protect, ignoreChanges: ignoreChanges, callback: callback,
            extend: extend, storageLocation: storageLocation, postProcessWorkflow: postProcessWorkflow,
            location: location, sourceLocation: sourceLocation)
    }

    public static func == (a: Asset, b: Asset) -> Bool {
        if a.storage === b.storage { return true }
        let (x, y) = (a.storage, b.storage)
        return x.key == y.key
            && x.source == y.source
            && x.title == y.title
            && x.description == y.description
            && x.tags == y.tags
            && x.category == y.category
            && x.categoryPath == y.categoryPath
            && x.cover == y.cover
            && x.workflow == y.workflow
            && x.fileExtension == y.fileExtension
            && x.fileSize == y.fileSize
            && x.metadata == y.metadata
            && x.entity == y.entity
            && x.protect == y.protect
            && x.ignoreChanges == y.ignoreChanges
            && x.callback == y.callback
            && x.extend == y.extend
            && x.storageLocation == y.storageLocation
            && x.postProcessWorkflow == y.postProcessWorkflow
            && x.location == y.location
            && x.sourceLocation == y.sourceLocation
    }

    /// The source as it may be shown and stored: without credentials or a signed query (see `URLRedaction`).
    public var redactedSource: String { URLRedaction.redact(source) }

    /// An `oss://bucket/object` source: registered in place with `RegisterMediaInfo`, not copied by URL upload.
    public var registersInPlace: Bool { source.hasPrefix("oss://") }

    /// The operation that creates this asset's media: `register` for `oss://` sources, `upload` otherwise.
    public var creatingOperation: RemoteOperation { registersInPlace ? .register : .upload }
}
