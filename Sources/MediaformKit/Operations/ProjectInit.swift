import Foundation
import MediaformCore

/// `mediaform init`: writes a new project (`ProjectTemplate`) into a directory, creating it if needed.
public enum ProjectInit {
    /// Why nothing was written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The directory already holds a project file.
        case projectExists(String)
        /// The options make a project file that does not validate (a region IMS does not serve, say).
        case invalid([String])

        public var description: String {
            switch self {
            case .projectExists(let path):
                "\(path) exists; init never overwrites a project. Edit it, or init another directory"
            case .invalid(let messages):
                messages.joined(separator: "\nerror: ")
            }
        }
    }

    /// What happened to each file.
    public enum Written: Sendable, Equatable {
        case created(String)
        /// It existed; left as it was.
        case kept(String)
        /// `.gitignore` existed; the line for `.mediaform/` was added.
        case extended(String)
    }

    /// The repository's root above `directory` (the nearest directory holding `.git`), or `directory` itself, and
    /// `directory`'s path relative to it (`.` when they are the same).
    public static func repositoryRoot(of directory: String) -> (root: String, relative: String) {
        let start = URL(fileURLWithPath: directory).standardizedFileURL
        var candidate = start
        while true {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(".git").path) {
                let base = candidate.path.hasSuffix("/") ? candidate.path : candidate.path + "/"
                let relative = start.path == candidate.path ? "." : String(start.path.dropFirst(base.count))
                return (candidate.path, relative)
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return (start.path, ".") }
            candidate = parent
        }
    }

    /// Writes the project into `directory`.
    /// - Throws: `Failure` (nothing written), or a file-system error.
    /// - Parameter ci: also write that CI recipe at the repository's root (`repositoryRoot(of:)`), for this project.
    public static func run(
        directory: String, region: String, endpoint: ProjectTemplate.Endpoint, ci: CIRecipe? = nil
    ) throws -> [Written] {
        let files = ProjectTemplate.files(region: region, endpoint: endpoint)
        let projectPath = ProjectLoader.join(directory, Project.fileName)
        if FileManager.default.fileExists(atPath: projectPath) { throw Failure.projectExists(projectPath) }
        // The project file must validate before anything is written.
        if let text = files.first?.text {
            let parsed = ManifestParser.parseProject(Array(text.utf8), file: projectPath)
            let errors = parsed.diagnostics.filter { $0.severity == .error }.map(\.message)
            if !errors.isEmpty { throw Failure.invalid(errors) }
        }
        var written: [Written] = []
        for (relative, text) in files {
            let path = ProjectLoader.join(directory, relative)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if relative == ".gitignore", let existing = try? String(contentsOfFile: path, encoding: .utf8) {
                if existing.split(separator: "\n").contains(where: {
                    $0.trimmingCharacters(in: .whitespaces) == ".mediaform/"
                }) {
                    written.append(.kept(relative))
                } else {
                    let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
                    try (existing + separator + ".mediaform/\n").write(toFile: path, atomically: true, encoding: .utf8)
                    written.append(.extended(relative))
                }
                continue
            }
            if FileManager.default.fileExists(atPath: path) {
                written.append(.kept(relative))
                continue
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(.created(relative))
        }
        if let ci {
            let (root, relative) = repositoryRoot(of: directory)
            let path = ProjectLoader.join(root, ci.path)
            if FileManager.default.fileExists(atPath: path) {
                written.append(.kept(path))
            } else {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try ci.text(directory: relative).write(toFile: path, atomically: true, encoding: .utf8)
                written.append(.created(path))
            }
        }
        return written
    }
}
