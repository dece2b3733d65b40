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
