/// A value and where it was written.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// The fields of one asset or of `defaults`, as written, each with its location; nil when absent.
///
/// `merged(over:)` applies defaults; validation runs on the merged fields so that each message points at the line
/// that supplied the offending value, whether the asset or the defaults.
public struct AssetFields: Sendable, Equatable {
    public var key: Located<String>?
    public var source: Located<String>?
    public var title: Located<String>?
    public var description: Located<String>?
    public var tags: [Located<String>]?
    public var tagsLocation: SourceLocation?
    public var category: Located<Int64>?
    public var cover: Located<String>?
    public var workflow: Located<String>?
    public var fileExtension: Located<String>?
    public var fileSize: Located<Int64>?
    public var metadata: Located<[String: JSONValue]>?
    public var entity: Located<String>?
    public var protect: Located<Bool>?
    public var callback: Located<String>?
    public var extend: Located<[String: JSONValue]>?
    public var storageLocation: Located<String>?
    public var postProcessWorkflow: Located<String>?
    /// Where the mapping starts.
    public var location: SourceLocation
    /// Keys that were present but had an unusable value (already reported), so that they are not also "missing".
    public var invalidKeys: Set<String> = []

    public init(location: SourceLocation) {
        self.location = location
    }

    /// These fields with `defaults` filling the gaps.
    ///
    /// Scalars: the asset's value wins. Tags: the union, defaults' tags first, then the asset's, duplicates dropped.
    /// `metadata` and `extend`: merged key by key, the asset's keys winning.
    public func merged(over defaults: AssetFields?) -> AssetFields {
        guard let defaults else { return self }
        var m = self
        m.title = title ?? defaults.title
        m.description = description ?? defaults.description
        m.category = category ?? defaults.category
        m.cover = cover ?? defaults.cover
        m.workflow = workflow ?? defaults.workflow
        m.fileExtension = fileExtension ?? defaults.fileExtension
        m.fileSize = fileSize ?? defaults.fileSize
        m.entity = entity ?? defaults.entity
        m.protect = protect ?? defaults.protect
        m.callback = callback ?? defaults.callback
        m.storageLocation = storageLocation ?? defaults.storageLocation
        m.postProcessWorkflow = postProcessWorkflow ?? defaults.postProcessWorkflow
        if let inherited = defaults.tags {
            var seen = Set<String>()
            m.tags = (inherited + (tags ?? [])).filter { seen.insert($0.value).inserted }
            m.tagsLocation = tagsLocation ?? defaults.tagsLocation
        }
        m.invalidKeys.formUnion(defaults.invalidKeys)
        m.metadata = Self.mergeObjects(metadata, over: defaults.metadata)
        m.extend = Self.mergeObjects(extend, over: defaults.extend)
        return m
    }

    private static func mergeObjects(
        _ own: Located<[String: JSONValue]>?, over inherited: Located<[String: JSONValue]>?
    ) -> Located<[String: JSONValue]>? {
        guard let inherited else { return own }
        guard let own else { return inherited }
        return Located(inherited.value.merging(own.value) { _, mine in mine }, at: own.location)
    }
}
