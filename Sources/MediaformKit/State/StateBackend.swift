import MediaformCore

/// Where state lives (`docs/state.md`). A backend gives the same guarantees whatever the storage: atomic
/// snapshots, a journal written before and after each call, a lock with holder information.
///
/// Every requirement is `async`: file I/O and fsync run on NIO's blocking thread pool and database calls are
/// awaited, so that no thread of Swift's cooperative pool ever waits on a disk or a socket.
public protocol StateBackend: Sendable {
    /// A human name for messages ("mediaform.state.json").
    var name: String { get }

    /// Reads the snapshot and folds the journal into it. Never modifies anything.
    func read() async throws(StateError) -> LoadedState

    /// Takes the lock for `operation`, waiting up to `timeout` seconds, then reads the state under it.
    func lock(operation: String, timeout: Double) async throws(StateError) -> (lock: any StateLock, loaded: LoadedState)

    /// Removes a lock left behind, if its ID is `id`.
    func forceUnlock(id: String) async throws(StateError) -> LockInfo

    /// Whether snapshots keep `State.manifestCache` (else it is dropped on write, and never offered).
    var keepsManifestCache: Bool { get }

    /// Whether reads can vouch that the records are those the manifest cache was made from
    /// (`LoadedState.manifestCacheHolds`), so that an apply with nothing to do stamps a cache that is not.
    var vouchesForManifestCache: Bool { get }

    /// The snapshot's manifest cache, read quickly and without the records, or nil (none, or unreadable: `read`
    /// reports problems). What `plan` starts skipping files with while the whole state is read.
    func peekManifestCache() async -> ManifestCache?
}

extension StateBackend {
    /// Backends that do not store the manifest cache have none to give.
    public var keepsManifestCache: Bool { false }
    public var vouchesForManifestCache: Bool { false }
    public func peekManifestCache() async -> ManifestCache? { nil }
}

/// A held lock, with the journal and snapshot writes that need it.
public protocol StateLock: AnyObject, Sendable {
    var info: LockInfo { get }
    /// Notes from taking the lock (a lock left by a dead process that was taken over).
    var warnings: [String] { get }
    /// Appends entries to the journal, each synced to disk (or committed) before this returns.
    func append(_ entries: [JournalEntry]) async throws(StateError)
    /// Writes `state` as the new snapshot (serial + 1, atomically, previous version kept as a backup) and trims
    /// the journal to the intents still unresolved. Returns the state as written.
    @discardableResult
    func writeSnapshot(_ state: State, unresolved: [Intent]) async throws(StateError) -> State
    /// Writes `state` exactly as given (same lineage, serial and generator) with `unresolved` as the journal: the
    /// copy made by `state migrate`, into a backend that holds no state yet.
    func writeCopy(_ state: State, unresolved: [Intent]) async throws(StateError)
    /// Releases the lock (also released if the process dies).
    func release() async
}

extension StateBackend {
    /// Runs `body` with the lock held and releases it afterwards, whether `body` returns or throws.
    public func withLock<R>(
        operation: String, timeout: Double,
        _ body: (_ lock: any StateLock, _ loaded: LoadedState) async throws -> R
    ) async throws -> R {
        let (lock, loaded) = try await self.lock(operation: operation, timeout: timeout)
        do {
            let result = try await body(lock, loaded)
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }
}

extension StateLock {
    /// Journals `entries` (records only: `put`, `remove`, `move`), then writes the state they make of `loaded` as the
    /// next snapshot: the whole of an edit that calls no API (`state mv`, `state rm`, `import`, `state rebuild`).
    /// - Returns: the state as written.
    public func commit(_ entries: [JournalEntry], onto loaded: LoadedState) async throws(StateError) -> State {
        var state = loaded.state
        if !entries.isEmpty {
            try await append(entries)
            for entry in entries { state.applyAssetChange(entry) }
        }
        return try await writeSnapshot(state, unresolved: loaded.unresolved)
    }
}
