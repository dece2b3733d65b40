import MediaformCore
import Synchronization

/// Reads the library for the state's records (`plan --refresh`, `apply --refresh`, `refresh`):
/// `BatchGetMediaInfos` with up to `APILimits.batchGetMediaInfosPerCall` IDs a call, `parallelism` calls at a
/// time, under the client's shared request rate and retries.
///
/// A read that fails is never "gone": any call that still fails after the client's retries (403, throttling,
/// 5xx, the network) fails the whole read with `LibraryReadError`, and nothing is returned to plan from.
public struct LibraryReader: Sendable {
    public let client: IMSClient
    public let parallelism: Int
    /// Called after each call with the media read so far and the total.
    public let progress: @Sendable (_ done: Int, _ total: Int) -> Void

    public init(
        client: IMSClient, parallelism: Int,
        progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) {
        self.client = client
        self.parallelism = max(1, parallelism)
        self.progress = progress
    }

    /// The records a read covers: those with a media ID, except jobs still running that job tracking follows
    /// (their media may not exist yet). A running record without a job (adopted from the library) is read.
    public static func readable(_ state: State) -> [(key: String, mediaId: String)] {
        state.assets.compactMap { key, record in
            guard let mediaId = record.mediaId, !record.status.isRunning || record.jobId == nil else { return nil }
            return (key, mediaId)
        }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// What the library holds for each readable record of `state`.
    /// - Throws: `LibraryReadError`, naming the API error and how many media could not be read.
    public func read(_ state: State) async throws(LibraryReadError) -> [String: MediaObservation] {
        let wanted = Self.readable(state)
        let done = Mutex(0)
        do {
            let parts = try await boundedConcurrentMap(
                wanted.chunks(of: APILimits.batchGetMediaInfosPerCall), limit: parallelism, stop: StopFlag()
            ) { chunk -> [(String, MediaObservation)] in
                let (infos, _) = try await client.batchGetMediaInfos(mediaIds: chunk.map(\.mediaId))
                let byId = Dictionary(infos.map { ($0.mediaId, $0) }, uniquingKeysWith: { first, _ in first })
                // Not in the answer (in IgnoredList, or simply left out): the media does not exist.
                let observed = chunk.map { item in
                    (item.key, byId[item.mediaId].map { MediaObservation.present($0.remote) } ?? .gone)
                }
                let count = done.withLock {
                    $0 += chunk.count; return $0
                }
                progress(count, wanted.count)
                return observed
            }
            return Dictionary(parts.flatMap { $0 }, uniquingKeysWith: { first, _ in first })
        } catch let error as APIError {
            throw LibraryReadError(error: error, unread: wanted.count - done.withLock { $0 }, total: wanted.count)
        } catch {
            throw LibraryReadError(
                error: .invalidResponse(status: 0, detail: "\(error)"), unread: wanted.count - done.withLock { $0 },
                total: wanted.count)
        }
    }

    /// Every media in the library, page by page (`ListMediaBasicInfos`, 100 a page, following `NextToken`).
    /// `progress` gets the count so far and the total the API announces (0 when it does not).
    /// - Throws: `LibraryReadError` when a page cannot be read: a partial list is never used.
    public func listAll() async throws(LibraryReadError) -> [RemoteMedia] {
        var media: [RemoteMedia] = []
        var token: String?
        var total = 0
        repeat {
            let page: (infos: [MediaInfo], nextToken: String?, total: Int?)
            do {
                page = try await client.listMediaBasicInfos(
                    nextToken: token, maxResults: APILimits.listMediaBasicInfosPerPage)
            } catch {
                throw LibraryReadError(
                    error: error, unread: max(0, total - media.count), total: total, action: "ListMediaBasicInfos")
            }
            media += page.infos.map(\.remote)
            total = max(total, page.total ?? 0, media.count)
            progress(media.count, total)
            // A token that does not move would loop for ever: stop at it.
            if page.nextToken == token { break }
            token = page.nextToken
        } while token != nil
        return media
    }

    /// Opens a connection for `project`, lists the whole library (`listAll`) with progress as `reading` events, and
    /// closes the connection: what `state rebuild` and `import --all` start from.
    public static func listLibrary(
        project: Project, connect: APIConnection.Connector, parallelism: Int?,
        events: @escaping @Sendable (ApplyRun.Event) -> Void
    ) async throws -> [RemoteMedia] {
        try await connect(project).closing { client in
            try await LibraryReader(
                client: client, parallelism: parallelism ?? project.limits.parallelism,
                progress: { events(.reading(done: $0, total: $1)) }
            ).listAll()
        }
    }

    /// Reads the library and brings `state` in step with it (`State.observing`): the state as the library has it,
    /// the records that changed, and what was found changed outside mediaform.
    /// With categories recorded or `declared`, the category tree is read too (`State.observingCategories`).
    public func refreshed(_ state: State, declared: [String] = [], time: String = Timestamps.now())
        async throws(LibraryReadError) -> Refreshed
    {
        let observations = try await read(state)
        let (changed, findings) = state.observing(observations, time: time)
        var refreshed = state
        for (key, record) in changed { refreshed.assets[key] = record }
        var result = Refreshed(state: refreshed, changed: changed, findings: findings, read: observations.count)
        guard !state.categories.isEmpty || !declared.isEmpty else { return result }
        let tree: [RemoteCategory]
        do {
            tree = try await client.categoryTree()
        } catch {
            throw LibraryReadError(error: error, unread: 0, total: 0, action: "GetCategories")
        }
        let (withCategories, categoryFindings) = refreshed.observingCategories(tree, declared: declared)
        result.categoryEntries = withCategories.categoryEntries(since: state)
        result.state = withCategories
        result.categoryFindings = categoryFindings
        return result
    }

    /// The state as the library has it, the records that changed, what changed outside mediaform, and how many
    /// media were read (none when nothing was read).
    public struct Refreshed: Sendable {
        public var state: State
        public var changed: [String: AssetRecord] = [:]
        public var findings: [DriftFinding] = []
        public var read = 0
        /// The category records the read changed, as journal entries.
        public var categoryEntries: [JournalEntry] = []
        /// Categories renamed or deleted outside mediaform, and declared ones found in IMS.
        public var categoryFindings: [CategoryFinding] = []
    }
}

/// A read of the library that failed: nothing may be planned from it.
public struct LibraryReadError: Error, Sendable, CustomStringConvertible {
    /// The last error, after the client's retries.
    public var error: APIError
    /// Media not read when it failed.
    public var unread: Int
    public var total: Int
    /// The API action that failed.
    public var action = "BatchGetMediaInfos"

    public var description: String {
        let hint = error.code.hasPrefix("Forbidden") ? " (the credentials need permission for \(action))" : ""
        if action == "GetCategories" {
            return "could not read the category tree: \(error.description)\(hint); nothing was planned or recorded "
                + "from a partial read"
        }
        return "could not read the library: \(error.description)\(hint); \(unread) of \(total) media could not be "
            + "read, so nothing was planned or recorded from a partial read"
    }
}
