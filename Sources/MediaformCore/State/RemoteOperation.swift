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
    /// `AddCategory`: creates a category of the project's tree. Not idempotent: an interrupted call is settled by
    /// reading the tree (`GetCategories`) and adopting a category with the same path before creating anything.
    case createCategory = "create-category"
    /// `UpdateCategory`: gives a category its name from the project file again. Idempotent.
    case renameCategory = "rename-category"
    /// `DeleteCategory`: removes a category that left the project file (under prune, not in use). Idempotent.
    case deleteCategory = "delete-category"
}
