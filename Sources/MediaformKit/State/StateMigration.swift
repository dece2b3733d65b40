import Foundation
import MediaformCore

/// Copies a state from one backend to another (`mediaform state migrate`): exactly (same lineage, serial, records
/// and open intents), under both locks, and verified by reading the copy back through the destination.
public enum StateMigration {
    public struct Report: Sendable {
        public var assets: Int
        public var unresolved: Int
        public var lineage: String
        public var serial: Int
        /// The destination already held this very state (a migration run twice): nothing was written.
        public var alreadyCopied: Bool
        /// SHA-256 of the state's canonical text, the same on both sides.
        public var digest: String
        public var warnings: [String]
    }

    /// Copies `source` into `destination`, which must hold no state (or exactly this one).
    /// - Parameter newLineage: the lineage of a state that had none yet (only a journal).
    /// - Throws: `StateError.backend` when the destination holds another state or the copy does not read back equal.
    public static func copy(
        from source: any StateBackend, to destination: any StateBackend, lockTimeout: Double,
        newLineage: @Sendable () -> String = StateLineage.make
    ) async throws -> Report {
        try await source.withLock(operation: "state migrate", timeout: lockTimeout) { sourceLock, loaded in
            guard loaded.exists, !loaded.state.lineage.isEmpty || !loaded.state.assets.isEmpty else {
                throw StateError.backend("\(source.name) holds no state yet: nothing to migrate")
            }
            var state = loaded.state
            if state.lineage.isEmpty {
                // An interrupted first apply left only a journal: the copy becomes the first snapshot.
                state.lineage = newLineage()
            }
            let copy = state
            return try await destination.withLock(operation: "state migrate", timeout: lockTimeout) {
                destinationLock, existing in
                var warnings = sourceLock.warnings + loaded.warnings + destinationLock.warnings + existing.warnings
                let digest = Digest.sha256Hex(copy.fileText)
                var report = Report(
                    assets: copy.assets.count, unresolved: loaded.unresolved.count, lineage: copy.lineage,
                    serial: copy.serial, alreadyCopied: true, digest: digest, warnings: warnings)
                if existing.exists {
                    if same(existing.state, copy) && existing.unresolved == loaded.unresolved { return report }
                    throw StateError.backend(
                        "\(destination.name) already holds a state (lineage \(existing.state.lineage), serial "
                            + "\(existing.state.serial), \(existing.state.assets.count) assets); refusing to overwrite it. "
                            + "Remove it first if it is really not needed")
                }
                try await destinationLock.writeCopy(copy, unresolved: loaded.unresolved)
                // Read back through a fresh read, as the next command would.
                let copied = try await destination.read()
                guard same(copied.state, copy), copied.unresolved == loaded.unresolved else {
                    throw StateError.backend(
                        "the copy in \(destination.name) does not read back equal to \(source.name); the source is "
                            + "unchanged, the destination should be removed")
                }
                warnings += copied.warnings
                report.alreadyCopied = false
                report.warnings = warnings
                return report
            }
        }
    }

    /// Equal in everything a plan or apply reads; the journal position is each backend's own bookkeeping.
    static func same(_ a: State, _ b: State) -> Bool {
        a.lineage == b.lineage && a.serial == b.serial && a.generator == b.generator && a.assets == b.assets
            && a.categories == b.categories
    }
}
