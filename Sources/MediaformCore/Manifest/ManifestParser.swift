/// Parsing and validation of single files from bytes: what `ProjectLoader` does per file, without the file system.
/// Also the entry point for fuzzing and for tests that build manifests in memory.
public enum ManifestParser {
    /// The project file: the project, its `defaults`, and the locations of explicit `manifests` globs.
    public struct ProjectFile: Sendable {
        public var project: Project?
        public var defaults: AssetFields?
        public var globLocations: [SourceLocation]
        public var diagnostics: [Diagnostic]
    }

    /// Parses and validates a project file.
    public static func parseProject(_ bytes: some ContiguousBytesProvider, file: String) -> ProjectFile {
        let parsed = bytes.withBytes { YAMLLoader.load($0, file: file) }
        var result = ProjectFile(project: nil, defaults: nil, globLocations: [], diagnostics: parsed.diagnostics)
        guard let root = parsed.root else {
            if parsed.diagnostics.isEmpty {
                result.diagnostics.append(
                    .error("the project file is empty", at: SourceLocation(file: file, line: 1, column: 1)))
            }
            return result
        }
        var reader = NodeReader(file: file)
        if let decoded = reader.project(root) {
            result.project = decoded.project
            result.defaults = decoded.defaults
            result.globLocations = decoded.globs
        }
        result.diagnostics += reader.diagnostics
        return result
    }

    /// Parses and validates an asset file, applying `defaults`.
    /// - Parameters:
    ///   - defaultsFile: the project file, named in diagnostics about values that came from `defaults`.
    ///   - categories: the project's category paths; a `category:` path not among them is an error. Nil accepts
    ///     any path.
    public static func parseAssets(
        _ bytes: some ContiguousBytesProvider, file: String, defaults: AssetFields?,
        defaultsFile: String = Project.fileName, categories: [String]? = nil
    ) -> (assets: [Asset], diagnostics: [Diagnostic]) {
        let parsed = bytes.withBytes { YAMLLoader.load($0, file: file) }
        var diagnostics = parsed.diagnostics
        guard let root = parsed.root else {
            if parsed.diagnostics.isEmpty {
                diagnostics.append(
                    .warning("file is empty; it declares no assets", at: SourceLocation(file: file, line: 1, column: 1))
                )
            }
            return ([], diagnostics)
        }
        var reader = NodeReader(file: file)
        let items = reader.manifestItems(root)
        diagnostics += reader.diagnostics
        guard let items else { return ([], diagnostics) }
        // Each item is read and validated on its own: a file of 100,000 assets (a catalogue exported in one
        // piece) is decoded on every core once its tree is built. Diagnostics are sorted for output later.
        let parts = ParallelChunks.each(count: items.count, size: 8192) { range in
            var reader = NodeReader(file: file)
            var validator = AssetValidator(file: file, defaultsFile: defaultsFile, categories: categories)
            var assets: [Asset] = []
            assets.reserveCapacity(range.count)
            for item in items[range] {
                guard var f = reader.assetFields(item, isDefaults: false) else { continue }
                f.merge(defaults)
                if let asset = validator.validate(f) { assets.append(asset) }
            }
            return (assets, reader.diagnostics + validator.diagnostics)
        }
        return (parts.flatMap(\.0), diagnostics + parts.flatMap(\.1))
    }
}
