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
    /// - Parameter computeDigest: also hash every input file into `digest` (for saved plans).
    public static func load(directory: String, computeDigest: Bool = false) -> LoadedProject {
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
                path: join(directory, files[i]), defaults: defaults, projectPath: projectPath,
                categories: project.categories, computeDigest: computeDigest)
            outcomes.withLock { $0[i] = outcome }
        }
        var digestInput = computeDigest ? Digest.hash(.sha256, contiguous: projectBytes) : []
        for outcome in outcomes.withLock({ $0 }) {
            guard let outcome else { continue }
            result.assets += outcome.assets
            result.diagnostics += outcome.diagnostics
            digestInput += outcome.digest
        }
        if computeDigest {
            result.digest = Digest.hex(Digest.hash(.sha256, digestInput + Array(files.joined(separator: "\n").utf8)))
        }
        result.diagnostics += CrossFileChecks.problems(result.assets)
        result.diagnostics = result.diagnostics.sortedForOutput()
        return result
    }

    private struct FileOutcome: Sendable {
        var assets: [Asset] = []
        var diagnostics: [Diagnostic] = []
        var digest: [UInt8] = []
    }

    private static func loadManifest(
        path: String, defaults: AssetFields?, projectPath: String, categories: [String], computeDigest: Bool
    ) -> FileOutcome {
        var outcome = FileOutcome()
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            outcome.diagnostics.append(.error("cannot read \(path): \(error.localizedDescription)", at: nil))
            return outcome
        }
        if computeDigest { outcome.digest = Digest.hash(.sha256, contiguous: bytes) }
        (outcome.assets, outcome.diagnostics) = ManifestParser.parseAssets(
            bytes, file: path, defaults: defaults, defaultsFile: projectPath, categories: categories)
        return outcome
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
