import Foundation
import MediaformCore
import Synchronization

/// Reads a project directory: `mediaform.yaml`, then the asset files its globs match, parsed in parallel by Core's
/// `ManifestParser` (bytes in, assets and diagnostics out).
///
/// This is the disk half of loading (Core does no I/O). Reads files only; never writes. Every problem becomes a diagnostic; only an unreadable project file stops the
/// load early.
public enum ProjectLoader {
    /// Loads the project in `directory`.
    /// - Parameters:
    ///   - computeDigest: also combine every input file's hash into `digest` (for saved plans).
    ///   - cache: the state's manifest cache: files it says plan to no change are not parsed (`ManifestFile.skipped`)
    ///     when it was made with this project file and this mediaform. Confirm them with `complete(_:state:)` once
    ///     the state is read.
    public static func load(directory: String, computeDigest: Bool = false, cache: ManifestCache? = nil)
        -> LoadedProject
    {
        let projectPath = join(directory, Project.fileName)
        var result = LoadedProject(directory: directory, project: Project(region: ""))

        let projectBytes: Data
        do {
            projectBytes = try Data(contentsOf: URL(fileURLWithPath: projectPath))
        } catch {
            var isDirectory: ObjCBool = false
            let message: String
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
                message = "no such directory '\(directory)'"
            } else if !isDirectory.boolValue {
                message = "'\(directory)' is not a directory; pass the directory that holds \(Project.fileName)"
            } else if !FileManager.default.fileExists(atPath: projectPath) {
                message = "no \(Project.fileName) in '\(directory)'; pass the project directory, or create the file"
            } else {
                message = "cannot read \(projectPath): \(error.localizedDescription)"
            }
            result.diagnostics.append(.error(message, at: nil))
            return result
        }

        let projectFile = ManifestParser.parseProject(projectBytes, file: projectPath)
        result.diagnostics += projectFile.diagnostics
        guard let project = projectFile.project else { return result }
        let defaults = projectFile.defaults, globLocations = projectFile.globLocations
        result.project = project
        result.defaults = defaults
        let projectFileDigest = Digest.hash(.sha256, contiguous: projectBytes)
        result.projectDigest = ManifestCache.projectDigest(
            projectFile: Digest.hex(projectFileDigest), generator: MediaformKit.generator)
        let usable = cache.flatMap { $0.project == result.projectDigest && !$0.files.isEmpty ? $0 : nil }
        result.cache = usable

        // Find manifest files.
        let globs = project.manifests.map(Glob.init)
        let files = findFiles(in: directory, matching: globs)
        // Explicit globs that match nothing are probably typos; the default globs only warn when nothing matches.
        for (glob, at) in zip(globs, globLocations) where !files.contains(where: glob.matches) {
            result.diagnostics.append(.warning("manifest glob '\(glob.pattern)' matches no file", at: at))
        }
        if globLocations.isEmpty && files.isEmpty {
            result.diagnostics.append(
                .warning(
                    "no asset files found (looked for \(project.manifests.joined(separator: ", "))); set 'manifests' to where they are",
                    at: SourceLocation(file: projectPath, line: 1, column: 1)))
        }
        result.manifestFiles = files

        // Parse and validate each file in parallel (docs/design.md §8: two cores).
        let outcomes = Mutex<[FileOutcome?]>(Array(repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let outcome = loadManifest(
                path: join(directory, files[i]), relative: files[i], defaults: defaults, projectPath: projectPath,
                categories: project.categories, cache: usable)
            outcomes.withLock { $0[i] = outcome }
        }
        var digestInput = projectFileDigest
        let loaded = outcomes.withLock { $0 }
        result.assets.reserveCapacity(loaded.reduce(0) { $0 + ($1?.assets.count ?? 0) })
        for outcome in loaded {
            guard let outcome else { continue }
            result.assets += outcome.assets
            result.diagnostics += outcome.diagnostics
            result.files.append(outcome.file)
            digestInput += outcome.digest
        }
        if !result.files.contains(where: \.skipped) { result.cache = nil }
        if computeDigest {
            result.digest = Digest.hex(Digest.hash(.sha256, digestInput + Array(files.joined(separator: "\n").utf8)))
        }
        result.diagnostics += CrossFileChecks.problems(result.assets)
        result.diagnostics = result.diagnostics.sortedForOutput()
        return result
    }

    /// Confirms the files `loaded` skipped, now that the state they were skipped against is known: when any of
    /// them must be parsed after all (a record of it changed, the categories changed, or a parsed asset has the key
    /// or the source of a skipped one, which the cross-file checks must locate), the project is loaded again
    /// without the cache, so that assets, diagnostics and plans are exactly those of a load that never skipped.
    /// - Parameter recordsVouched: the backend knows that the records of `state` are those `loaded.cache` was made
    ///   from (`ManifestCache.invalidated`).
    public static func complete(
        _ loaded: LoadedProject, state: State?, recordsVouched: Bool = false, computeDigest: Bool
    ) -> LoadedProject {
        guard let cache = loaded.cache else { return loaded }
        let skipped = loaded.files.filter(\.skipped)
        guard let state, cache.invalidated(skipped.map(\.path), state: state, recordsVouched: recordsVouched).isEmpty,
            !collides(loaded.assets, with: skipped, state: state)
        else {
            return load(directory: loaded.directory, computeDigest: computeDigest)
        }
        return loaded
    }

    /// Whether a parsed asset has the key, or the normalized source, of an asset in a skipped file.
    static func collides(_ assets: [Asset], with skipped: [ManifestFile], state: State) -> Bool {
        guard !assets.isEmpty else { return false }
        // The parsed assets are usually the few of the files that changed: look the skipped ones up in their sets.
        let keys = Set(assets.map(\.key))
        let sources = Set(assets.map { CrossFileChecks.normalizedSource($0.source) })
        return skipped.contains { file in
            file.keys.contains { key in
                keys.contains(key)
                    || state.assets[key].map { sources.contains(CrossFileChecks.normalizedSource($0.source)) } == true
            }
        }
    }

    private struct FileOutcome: Sendable {
        var assets: [Asset] = []
        var diagnostics: [Diagnostic] = []
        var digest: [UInt8] = []
        var file: ManifestFile
    }

    private static func loadManifest(
        path: String, relative: String, defaults: AssetFields?, projectPath: String, categories: [String],
        cache: ManifestCache?
    ) -> FileOutcome {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var outcome = FileOutcome(file: ManifestFile(path: relative, digest: "", keys: [], cacheable: false))
            outcome.diagnostics.append(.error("cannot read \(path): \(error.localizedDescription)", at: nil))
            return outcome
        }
        let digest = Digest.hash(.sha256, contiguous: bytes)
        let hex = Digest.hex(digest)
        if let entry = cache?.files[relative], entry.digest == hex {
            return FileOutcome(
                digest: digest,
                file: ManifestFile(path: relative, digest: hex, keys: entry.keys, cacheable: true, skipped: true))
        }
        let (assets, diagnostics) = ManifestParser.parseAssets(
            bytes, file: path, defaults: defaults, defaultsFile: projectPath, categories: categories)
        let cacheable = diagnostics.isEmpty && assets.allSatisfy { $0.ignoreChanges.isEmpty }
        return FileOutcome(
            assets: assets, diagnostics: diagnostics, digest: digest,
            file: ManifestFile(path: relative, digest: hex, keys: assets.map(\.key), cacheable: cacheable))
    }

    /// Regular files under `directory` whose relative paths match a glob; hidden files and folders are skipped.
    public static func findFiles(in directory: String, matching globs: [Glob]) -> [String] {
        var found = Set<String>()
        let roots = Set(globs.map(\.literalPrefix))
        for root in roots {
            let base = URL(fileURLWithPath: join(directory, root), isDirectory: true)
            guard
                let walker = FileManager.default.enumerator(
                    at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            else { continue }
            let basePath = base.standardizedFileURL.path
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
                var relative = String(url.standardizedFileURL.path.dropFirst(basePath.count))
                if relative.hasPrefix("/") { relative.removeFirst() }
                if !root.isEmpty { relative = root + "/" + relative }
                if relative == Project.fileName { continue }
                if globs.contains(where: { $0.matches(relative) }) { found.insert(relative) }
            }
        }
        return found.sorted()
    }

    /// `directory/name`, without a leading `./` for the current directory.
    public static func join(_ directory: String, _ name: String) -> String {
        if name.isEmpty { return directory }
        if directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
