/// Where a value was written: a line and column in either the asset's own file or the project file's `defaults`.
///
/// Deliberately without the file name: a string per value would cost reference counting on every copy of every
/// field of 100,000 assets. The validator knows both files and makes a `SourceLocation` only for a diagnostic.
public struct SourcePlace: Sendable, Hashable {
    public var line: Int32
    public var column: Int32
    public var fromDefaults: Bool

    public init(_ mark: YAMLMark, fromDefaults: Bool) {
        self.line = Int32(truncatingIfNeeded: mark.line)
        self.column = Int32(truncatingIfNeeded: mark.column)
        self.fromDefaults = fromDefaults
    }

    /// The full location, given the asset's file and the project file.
    public func location(file: String, defaultsFile: String) -> SourceLocation {
        SourceLocation(file: fromDefaults ? defaultsFile : file, line: Int(line), column: Int(column))
    }
}

/// A value and where it was written.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var place: SourcePlace

    public init(_ value: Value, at place: SourcePlace) {
        self.value = value
        self.place = place
    }
}

/// How an asset names its category: a `CateId`, or a path declared in the project's `categories:`.
public enum CategoryReference: Sendable, Equatable {
    case id(Int64)
    case path(String)
}

/// The fields of one asset or of `defaults`, as written, each with its location; nil when absent.
///
/// `merge(_:)` applies defaults; validation runs on the merged fields so that each message points at the line
/// that supplied the offending value, whether the asset or the defaults.
public struct AssetFields: Sendable, Equatable {
    public var key: Located<String>?
    public var source: Located<String>?
    public var title: Located<String>?
    public var description: Located<String>?
    public var tags: [Located<String>]?
    public var tagsPlace: SourcePlace?
    public var category: Located<CategoryReference>?
    public var cover: Located<String>?
    public var workflow: Located<String>?
    public var fileExtension: Located<String>?
    public var fileSize: Located<Int64>?
    public var metadata: Located<[String: JSONValue]>?
    public var entity: Located<String>?
    public var protect: Located<Bool>?
    public var ignoreChanges: Located<ManagedFields>?
    public var callback: Located<String>?
    public var extend: Located<[String: JSONValue]>?
    public var storageLocation: Located<String>?
    public var postProcessWorkflow: Located<String>?
    /// Where the mapping starts.
    public var place: SourcePlace
    /// Required keys that were present but had an unusable value (already reported), so that they are not also
    /// reported as missing.
    public var invalidRequired: RequiredKeys = []

    /// The keys whose absence is an error.
    public struct RequiredKeys: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let source = RequiredKeys(rawValue: 1)
        public static let title = RequiredKeys(rawValue: 2)
    }

    public init(place: SourcePlace) {
        self.place = place
    }

    /// These fields with `defaults` filling the gaps.
    ///
    /// Scalars and `ignoreChanges`: the asset's value wins. Tags: the union, defaults' tags first, then the asset's, duplicates dropped.
    /// `metadata` and `extend`: merged key by key, the asset's keys winning.
    /// In place, only the fields this asset leaves out are assigned (the parser merges every asset of a file;
    /// copying the whole struct and assigning every field back cost a retain and a release per field).
    public mutating func merge(_ defaults: AssetFields?) {
        guard let defaults else { return }
        // Each field the asset leaves out takes the defaults' (`ignoreChanges` too: a list, but a policy, so the
        // asset's own list replaces the defaults' and `ignoreChanges: []` opts back in).
        func inherit<T>(_ own: inout T?, _ inherited: T?) { if own == nil { own = inherited } }
        inherit(&title, defaults.title)
        inherit(&description, defaults.description)
        inherit(&category, defaults.category)
        inherit(&cover, defaults.cover)
        inherit(&workflow, defaults.workflow)
        inherit(&fileExtension, defaults.fileExtension)
        inherit(&fileSize, defaults.fileSize)
        inherit(&entity, defaults.entity)
        inherit(&protect, defaults.protect)
        inherit(&ignoreChanges, defaults.ignoreChanges)
        inherit(&callback, defaults.callback)
        inherit(&storageLocation, defaults.storageLocation)
        inherit(&postProcessWorkflow, defaults.postProcessWorkflow)
        if let inherited = defaults.tags, !inherited.isEmpty {
            // Tag lists are short: a linear scan beats hashing.
            var combined = inherited
            for tag in tags ?? [] where !combined.contains(where: { $0.value == tag.value }) { combined.append(tag) }
            tags = combined
            inherit(&tagsPlace, defaults.tagsPlace)
        }
        if !defaults.invalidRequired.isEmpty { invalidRequired.formUnion(defaults.invalidRequired) }
        if defaults.metadata != nil { metadata = Self.mergeObjects(metadata, over: defaults.metadata) }
        if defaults.extend != nil { extend = Self.mergeObjects(extend, over: defaults.extend) }
    }

    private static func mergeObjects(
        _ own: Located<[String: JSONValue]>?, over inherited: Located<[String: JSONValue]>?
    ) -> Located<[String: JSONValue]>? {
        guard let inherited else { return own }
        guard let own else { return inherited }
        return Located(inherited.value.merging(own.value) { _, mine in mine }, at: own.place)
    }
}
