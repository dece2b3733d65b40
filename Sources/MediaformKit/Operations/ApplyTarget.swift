import Foundation
import MediaformCore

/// What `apply` was given: a project directory, or a plan saved by `plan --out` (and the project it belongs to).
public struct ApplyTarget: Sendable {
    /// The project directory to open.
    public var directory: String
    /// The saved plan and its file, when the target was one.
    public var saved: (plan: SavedPlan, file: String)?

    /// Reads `target`: a directory is a project; a file must be a saved plan, whose project directory is
    /// `project` when given, else the one it was planned in.
    /// - Throws: `ApplyRunError.notASavedPlan` for a file that is not one; `StateError` when it cannot be read.
    public static func resolve(_ target: String, project: String?) async throws -> ApplyTarget {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return ApplyTarget(directory: project ?? target, saved: nil)
        }
        let data = try await Workspace.readFile(target)
        let saved: SavedPlan?
        do {
            saved = try SavedPlan.decode(try JSONParser.parse(data), file: target)
        } catch let error as JSONParser.Failure {
            throw StateError.corrupt(
                StateFormatError(
                    file: target, position: "\(error.line):\(error.column)",
                    message: "not a saved plan: \(error.message)"))
        }
        guard let saved else { throw ApplyRunError.notASavedPlan(target) }
        return ApplyTarget(directory: project ?? saved.directory, saved: (saved, target))
    }
}
