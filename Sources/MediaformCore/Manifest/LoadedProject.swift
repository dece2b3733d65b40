/// A project as loaded: the project file, every asset with defaults applied, and every problem found.
public struct LoadedProject: Sendable {
    /// The directory as given (diagnostic paths start with it).
    public var directory: String
    public var project: Project
    /// Effective assets, ordered by file path, then by position in the file.
    public var assets: [Asset]
    /// Manifest files matched by the globs, relative to `directory`, sorted.
    public var manifestFiles: [String]
    /// SHA-256 over the project file and every manifest file (path and bytes): changes whenever any input changes.
    /// Empty unless the load was asked for it (`computeDigest`): only saved plans need it.
    public var digest: String
    public var diagnostics: [Diagnostic]
    /// The project file's `defaults`, as written (for checking generated manifests the way `plan` reads them).
    public var defaults: AssetFields?
    /// Each manifest file, in `manifestFiles` order: its digest and keys, and whether it was skipped.
    public var files: [ManifestFile] = []
    /// `ManifestCache.projectDigest` of the project file as read (empty when it could not be read).
    public var projectDigest = ""
    /// The cache the load skipped files with (nil when none was given or usable).
    public var cache: ManifestCache?

    /// The keys of the assets in skipped files: unchanged, and not in `assets` (`Planner.plan`'s `unchanged`).
    public var unchangedKeys: [String] { files.lazy.filter(\.skipped).flatMap(\.keys) }

    /// How many assets the manifests declare, skipped files included.
    public var assetCount: Int { assets.count + files.lazy.filter(\.skipped).reduce(0) { $0 + $1.keys.count } }

    public var hasErrors: Bool { diagnostics.hasErrors }

    public init(
        directory: String, project: Project, assets: [Asset] = [], manifestFiles: [String] = [], digest: String = "",
        diagnostics: [Diagnostic] = []
    ) {
        self.directory = directory
        self.project = project
        self.assets = assets
        self.manifestFiles = manifestFiles
        self.digest = digest
        self.diagnostics = diagnostics
    }
}
