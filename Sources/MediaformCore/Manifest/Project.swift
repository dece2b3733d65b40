/// The project file, `mediaform.yaml`: where the API is, where state lives, which files hold assets, defaults.
public struct Project: Sendable, Equatable {
    /// The newest project-file `version` this build understands. Adding optional keys does not bump it.
    public static let supportedVersion = 1
    /// The project file's name inside a project directory.
    public static let fileName = "mediaform.yaml"
    /// Globs used when `manifests` is omitted.
    public static let defaultManifestGlobs = ["assets/**/*.yaml", "assets/**/*.yml"]
    /// The only regions where `UploadMediaByURL` exists (docs/ims-api.md §1.1).
    public static let uploadRegions = ["cn-beijing", "cn-shanghai", "cn-shenzhen"]
    /// IMS's default application (docs/ims-api.md §3.1).
    public static let defaultAppId = "app-1000000"

    /// Where requests go.
    public enum Endpoint: Sendable, Equatable {
        /// `https://ice.<region>.aliyuncs.com/`.
        case regional
        /// The built-in emulator, started in process on 127.0.0.1.
        case emulator
        /// An explicit URL (plain http only for loopback hosts).
        case url(String)
    }

    /// Where the state lives.
    public struct StateSettings: Sendable, Equatable {
        public enum Backend: String, Sendable, Equatable, CaseIterable {
            /// A JSON file next to the project (docs/design.md §4).
            case local
            /// Rows in a PostgreSQL database shared by a team's CI runners.
            case postgres
        }

        public static let defaultPath = "mediaform.state.json"
        public static let defaultSchema = "mediaform"

        public var backend: Backend
        /// For `local`: the state file, relative to the project directory.
        public var path: String
        /// For `postgres`: the connection URL without a password (`MEDIAFORM_PG_URL` overrides it).
        public var url: String?
        /// For `postgres`: the state's name in the database, so that several projects share one database.
        public var name: String?
        /// For `postgres`: the database schema holding mediaform's tables.
        public var schema: String

        public init(
            backend: Backend = .local, path: String = StateSettings.defaultPath, url: String? = nil,
            name: String? = nil,
            schema: String = StateSettings.defaultSchema
        ) {
            self.backend = backend
            self.path = path
            self.url = url
            self.name = name
            self.schema = schema
        }
    }

    /// Request pacing and the deletion budget; the commands' flags override these.
    public struct Limits: Sendable, Equatable {
        public static let defaultRequestsPerSecond = 10.0
        public static let defaultParallelism = 4
        /// Deletes a plan may hold before it is refused (`--max-deletes` overrides it for one run).
        public static let defaultMaxDeletes = 25

        public var requestsPerSecond: Double
        public var parallelism: Int
        public var maxDeletes: Int

        public init(
            requestsPerSecond: Double = Limits.defaultRequestsPerSecond, parallelism: Int = Limits.defaultParallelism,
            maxDeletes: Int = Limits.defaultMaxDeletes
        ) {
            self.requestsPerSecond = requestsPerSecond
            self.parallelism = parallelism
            self.maxDeletes = maxDeletes
        }
    }

    public var version: Int
    public var region: String
    public var endpoint: Endpoint
    public var appId: String
    public var manifests: [String]
    public var state: StateSettings
    public var limits: Limits
    /// Delete assets that left the manifests (unless protected). Off by default: removal is reported as "orphan".
    public var prune: Bool
    /// The category tree mediaform manages (`categories:`): every declared path with its parents implied, parents
    /// first (`CategoryPath.closure`). Empty: mediaform manages no category.
    public var categories: [String] = []

    public init(
        version: Int = Project.supportedVersion,
        region: String,
        endpoint: Endpoint = .regional,
        appId: String = Project.defaultAppId,
        manifests: [String] = Project.defaultManifestGlobs,
        state: StateSettings = StateSettings(),
        limits: Limits = Limits(),
        prune: Bool = false
    ) {
        self.version = version
        self.region = region
        self.endpoint = endpoint
        self.appId = appId
        self.manifests = manifests
        self.state = state
        self.limits = limits
        self.prune = prune
    }
}
