/// One media asset as mediaform will submit it: the asset's own fields with the project defaults merged in.
public struct Asset: Sendable, Equatable {
    /// Stable identity within the project. Changing `source` under the same key is a replacement.
    public var key: String
    /// The source media URL, exactly as written (it may carry a signature; outputs show `redactedSource`).
    public var source: String
    public var title: String
    public var description: String?
    /// Defaults' tags first, then the asset's, without duplicates.
    public var tags: [String]
    /// The `CateId` sent; for a path, the ID the state records for it (nil until the category exists).
    public var category: Int64?
    /// The category as a path of the project's `categories:`, when the manifest names it so.
    public var categoryPath: String?
    public var cover: String?
    public var workflow: String?
    public var fileExtension: String?
    public var fileSize: Int64?
    /// Dynamic metadata, sent as the JSON text `DynamicMetaData`.
    public var metadata: [String: JSONValue]?
    public var entity: String?
    /// Never deleted by mediaform.
    public var protect: Bool
    /// Fields sent on the first upload and then left to the console (`ignoreChanges`): never planned as changes;
    /// an update sends the value the state recorded (a cover is not sent at all).
    public var ignoreChanges: ManagedFields
    /// Request level: `UserData.MessageCallback.CallbackURL`.
    public var callback: String?
    /// Request level: the user's part of `UserData.Extend`.
    public var extend: [String: JSONValue]?
    /// Request level: `UploadTargetConfig.StorageLocation` (VOD storage).
    public var storageLocation: String?
    /// Request level: `PostProcessConfig` workflow.
    public var postProcessWorkflow: String?
    /// Where the asset is declared.
    public var location: SourceLocation
    /// Where its `source:` value is (nil for assets built in code): diagnostics about the source point there.
    public var sourceLocation: SourceLocation?

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
        self.key = key
        self.source = source
        self.title = title
        self.description = description
        self.tags = tags
        self.category = category
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

    /// The source as it may be shown and stored: without credentials or a signed query (see `URLRedaction`).
    public var redactedSource: String { URLRedaction.redact(source) }

    /// An `oss://bucket/object` source: registered in place with `RegisterMediaInfo`, not copied by URL upload.
    public var registersInPlace: Bool { source.hasPrefix("oss://") }

    /// The operation that creates this asset's media: `register` for `oss://` sources, `upload` otherwise.
    public var creatingOperation: RemoteOperation { registersInPlace ? .register : .upload }
}
