/// One manifest file of a loaded project: what the manifest cache records of it, or what it was skipped with.
public struct ManifestFile: Sendable, Equatable {
    /// Relative to the project directory (`LoadedProject.manifestFiles`).
    public var path: String
    /// SHA-256 of its bytes (hex); empty when it could not be read.
    public var digest: String
    /// The keys of its assets, in order (for a skipped file, the keys the cache recorded).
    public var keys: [String]
    /// Parsed without any diagnostic, and no asset in it lists `ignoreChanges`: a plan of it can be cached.
    public var cacheable: Bool
    /// Not parsed: the manifest cache says it plans to no change (`ManifestCache`).
    public var skipped: Bool

    public init(path: String, digest: String, keys: [String], cacheable: Bool, skipped: Bool = false) {
        self.path = path
        self.digest = digest
        self.keys = keys
        self.cacheable = cacheable
        self.skipped = skipped
    }
}
