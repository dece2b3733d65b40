import Foundation
import MediaformCore

/// Where a `postgres` state lives, resolved from the project file and the environment.
public struct PostgresStateSettings: Sendable {
    public var url: PostgresURL
    /// The state's name in the database (`state.name`).
    public var name: String
    /// The database schema holding mediaform's tables (`state.schema`, default `mediaform`).
    public var schema: String

    public init(url: PostgresURL, name: String, schema: String = Project.StateSettings.defaultSchema) {
        self.url = url
        self.name = name
        self.schema = schema
    }

    /// The environment variable that carries the URL (with its password) in CI.
    public static let urlVariable = "MEDIAFORM_PG_URL"

    /// Resolves the connection: `MEDIAFORM_PG_URL` wins over `state.url` (so CI injects a secret URL into a committed
    /// project file); a URL without a password takes `PGPASSWORD`, without a user `PGUSER`, then the login name.
    public static func resolve(_ settings: Project.StateSettings, environment: [String: String]) throws(StateError)
        -> PostgresStateSettings
    {
        let text: String
        let origin: String
        if let fromEnvironment = environment[urlVariable], !fromEnvironment.isEmpty {
            (text, origin) = (fromEnvironment, urlVariable)
        } else if let fromFile = settings.url {
            (text, origin) = (fromFile, "state.url in \(Project.fileName)")
        } else {
            throw .backend(
                "the postgres backend needs a database URL: set \(urlVariable) (for example postgres://user:password@host:5432/database) or state.url in \(Project.fileName)"
            )
        }
        var url: PostgresURL
        switch PostgresURL.parse(text) {
        case .success(let parsed): url = parsed
        case .failure(let problem): throw .backend("\(origin): \(problem.message)")
        }
        if url.password == nil, let password = environment["PGPASSWORD"], !password.isEmpty { url.password = password }
        if url.user == nil { url.user = environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? FileIO.userName() }
        if url.database == nil, let database = environment["PGDATABASE"], !database.isEmpty { url.database = database }
        guard let name = settings.name else {
            throw .backend("state.name is required with the postgres backend")
        }
        return PostgresStateSettings(url: url, name: name, schema: settings.schema)
    }

    /// `state 'course-library' in postgres://ci@db:5432/media`: no password.
    public var displayName: String { "state '\(name)' in \(url.redacted)" }
}

extension PostgresStateSettings {
    /// The advisory lock's key text, hashed by the server (`hashtextextended`) into the 64-bit lock ID.
    var lockKey: String { "mediaform state \(schema).\(name)" }
}
