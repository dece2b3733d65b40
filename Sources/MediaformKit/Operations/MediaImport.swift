import MediaformCore

/// `import KEY MEDIA_ID`: adopts media that already exist in IMS as a manifest asset, without uploading it again.
///
/// Its current title, description, tags, category and cover are recorded as IMS holds them, so the next plan shows
/// an update wherever the manifest differs.
public struct MediaImport: Sendable {
    /// Why an import was refused; nothing was written.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The key is not declared in the manifests (with a spelling suggestion when one is close).
        case unknownKey(String, suggestion: String?)
        /// The key already has a record (with its media ID, if any).
        case alreadyInState(String, mediaId: String?)
        /// IMS has no media with that ID.
        case noSuchMedia(String)
        /// The media could not be read.
        case readFailed(mediaId: String, reason: String)

        public var description: String {
            switch self {
            case .unknownKey(let key, let suggestion):
                "no asset '\(key)' in the manifests; declare it first"
                    + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            case .alreadyInState(let key, let mediaId):
                "'\(key)' is already in the state (media \(mediaId ?? "none")); 'mediaform state rm \(key)' first to "
                    + "replace it"
            case .noSuchMedia(let mediaId):
                "no media \(mediaId) in IMS"
            case .readFailed(let mediaId, let reason):
                "cannot read media \(mediaId): \(reason)"
            }
        }
    }

    public let workspace: Workspace
    public let lockTimeout: Double
    public let connect: APIConnection.Connector
    public let now: @Sendable () -> String

    public init(
        workspace: Workspace, lockTimeout: Double = 0, connect: @escaping APIConnection.Connector,
        now: @escaping @Sendable () -> String = Timestamps.now
    ) {
        self.workspace = workspace
        self.lockTimeout = lockTimeout
        self.connect = connect
        self.now = now
    }

    /// Imports `mediaId` as `key`; returns the record and the state as written.
    /// - Throws: `MediaImport.Failure`, `StateError`, the connector's errors.
    public func run(key: String, mediaId: String) async throws -> (record: AssetRecord, state: State) {
        let assets = workspace.project.assets
        guard let asset = assets.first(where: { $0.key == key }) else {
            throw Failure.unknownKey(key, suggestion: Spelling.suggestion(for: key, among: assets.map(\.key)))
        }
        return try await workspace.backend.withLock(operation: "import", timeout: lockTimeout) { lock, loaded in
            if let existing = loaded.state.assets[key] {
                throw Failure.alreadyInState(key, mediaId: existing.mediaId)
            }
            let connection = try await connect(workspace.project.project)
            let info: MediaInfo?
            do {
                info = try await connection.closing { try await $0.getMediaInfo(mediaId: mediaId) }
            } catch {
                throw Failure.readFailed(mediaId: mediaId, reason: "\(error)")
            }
            guard let info else { throw Failure.noSuchMedia(mediaId) }
            let record = Self.record(for: asset, importing: info, appId: workspace.project.project.appId, time: now())
            return (record, try await lock.commit([.put(key: key, record: record)], onto: loaded))
        }
    }

    /// The record of an imported media: the manifest's upload inputs, and the remote values of the mutable fields
    /// with their fingerprint, so that the next plan updates whatever differs from the manifest.
    public static func record(for asset: Asset, importing info: MediaInfo, appId: String, time: String) -> AssetRecord {
        AssetRecord(adopting: asset, remote: info.remote, appId: appId, time: time)
    }
}
