import Foundation

/// What mediaform knows about the remote media library: one record per asset key (docs/design.md §4).
///
/// The state is the only memory of what was uploaded. It is never reset implicitly: a missing record means
/// "upload again", so an unreadable state file is an error, not an empty state.
public struct State: Sendable, Equatable {
    /// The newest state format this build reads and writes.
    public static let formatVersion = 2

    /// Identifies one state's history; a saved plan made against another lineage is refused.
    public var lineage: String
    /// Incremented on every write; a saved plan made against another serial is stale.
    public var serial: Int
    /// The mediaform that wrote the state (`mediaform 0.1.0`).
    public var generator: String
    /// The sequence number of the last journal record folded into this snapshot.
    public var journalSequence: Int
    public var assets: [String: AssetRecord]
    /// The project's categories by path (`categories:` in `mediaform.yaml`), with their `CateId`.
    public var categories: [String: CategoryRecord] = [:]
    /// The manifest files a plan may leave unparsed, as apply last recorded them (`ManifestCache`); nil when none.
    /// Only an optimisation: it is verified before use, and a mediaform that does not know it drops it.
    public var manifestCache: ManifestCache?

    public init(
        lineage: String, serial: Int = 0, generator: String, journalSequence: Int = 0,
        assets: [String: AssetRecord] = [:]
    ) {
        self.lineage = lineage
        self.serial = serial
        self.generator = generator
        self.journalSequence = journalSequence
        self.assets = assets
    }
}

extension State {
    /// This state as the next snapshot records it: serial + 1, written by `generator`, and `newLineage` on the first
    /// write of a state (the caller mints it: Core has no source of randomness).
    public func nextSnapshot(generator: String, newLineage: @autoclosure () -> String) -> State {
        var next = self
        next.serial += 1
        next.generator = generator
        if next.lineage.isEmpty { next.lineage = newLineage() }
        return next
    }
}
