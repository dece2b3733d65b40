/// A kind of call to the remote library: what a journaled intent was about to do, and what a planned change does.
public enum RemoteOperation: String, Sendable, Equatable, CaseIterable {
    /// `UploadMediaByURL`: creates media, not idempotent (the journal and the marker make it exactly-once).
    case upload
    /// `UpdateMediaInfo`: idempotent.
    case update
    /// `DeleteMediaInfos`: idempotent.
    case delete
    /// `RegisterMediaInfo`: registers an object of the team's own OSS bucket in place (no copy); idempotent by its
    /// `ClientToken`, derived from the journaled intent.
    case register
}
