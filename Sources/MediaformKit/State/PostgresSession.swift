import Foundation
import Logging
import MediaformCore
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

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

/// One connection to PostgreSQL used synchronously: the state protocols are synchronous (the local backend's
/// fsyncs block too), so each query blocks the calling thread on NIO's event loop, never on a Swift concurrency
/// thread's continuation, which cannot deadlock the two-thread cooperative pool.
final class PostgresSession: Sendable {
    let connection: PostgresConnection
    let settings: PostgresStateSettings
    /// mediaform logs nothing from the driver: its messages can carry connection details.
    static let logger = Logger(label: "mediaform.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(connection: PostgresConnection, settings: PostgresStateSettings) {
        self.connection = connection
        self.settings = settings
    }

    /// Opens a connection; errors name the server (redacted), never the password.
    static func connect(_ settings: PostgresStateSettings) throws(StateError) -> PostgresSession {
        let url = settings.url
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.tlsMode {
            case .disable:
                tls = .disable
            case .prefer, .require:
                // libpq's prefer and require encrypt without verifying the certificate; verify-full verifies.
                var configuration = TLSConfiguration.makeClientConfiguration()
                configuration.certificateVerification = .none
                let context = try NIOSSLContext(configuration: configuration)
                tls = url.tlsMode == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .backend("cannot set up TLS for \(url.redacted): \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user ?? FileIO.userName(), password: url.password,
            database: url.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(Int64((url.connectTimeout ?? 10) * 1000))
        configuration.options.additionalStartupParameters = [("application_name", "mediaform")]
        do {
            let connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger
            ).wait()
            return PostgresSession(connection: connection, settings: settings)
        } catch {
            throw describe(error, doing: "connect to \(url.redacted)", settings: settings)
        }
    }

    /// A state error from a driver error: the server's message and SQLSTATE, or the network failure. Never the
    /// query's binds (they can hold records) and never the password.
    static func describe(_ error: any Error, doing: String, settings: PostgresStateSettings) -> StateError {
        let reason: String
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                var text = message
                if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
                if let hint = info[.hint] { text += "; \(hint)" }
                reason = text
            } else if let underlying = error.underlying {
                reason = "\(underlying)"
            } else {
                switch error.code {
                case .serverClosedConnection, .clientClosedConnection:
                    reason =
                        "the connection was closed (the server ended this session, or force-unlock broke this lock)"
                case .sslUnsupported:
                    reason = "the server does not support TLS (use sslmode=disable or prefer)"
                case .connectionError:
                    reason = "cannot reach the server"
                default:
                    reason = "\(error.code)"
                }
            }
        } else if let error = error as? SessionEnded {
            reason = error.description
        } else if let error = error as? ChannelError, case .connectTimeout = error {
            reason = "timed out connecting"
        } else {
            reason = "\(error)"
        }
        return .backend("PostgreSQL: cannot \(doing) (\(settings.displayName)): \(reason)")
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String) throws(StateError)
        -> [PostgresRow]
    {
        do {
            guard !connection.isClosed else { throw SessionEnded.closed }
            return try wait(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger)).rows
        } catch {
            throw Self.describe(error, doing: doing, settings: settings)
        }
    }

    /// Runs one statement and hands each row to `onRow` on the driver's thread as it arrives. For large results:
    /// the driver's collected `rows` grow by copying (quadratic at a million rows).
    func forEachRow(
        _ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String,
        _ onRow: @escaping @Sendable (PostgresRow) throws -> Void
    ) throws(StateError) {
        do {
            guard !connection.isClosed else { throw SessionEnded.closed }
            _ = try wait(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger, onRow))
        } catch {
            throw Self.describe(error, doing: doing, settings: settings)
        }
    }

    /// Why a wait ended without the driver's answer.
    enum SessionEnded: Error, CustomStringConvertible {
        case closed
        case timedOut(Double)

        var description: String {
            switch self {
            case .closed:
                "the connection was closed (the server ended this session, for example because force-unlock broke this lock)"
            case .timedOut(let seconds):
                "no answer from the server within \(Int(seconds)) s (MEDIAFORM_PG_TIMEOUT); the connection is closed"
            }
        }
    }

    /// The longest wait for one statement's answer: a server that stops answering (a network partition) must not
    /// hang a CI job forever. `MEDIAFORM_PG_TIMEOUT` (seconds) overrides it.
    static let statementTimeout: Double = {
        ProcessInfo.processInfo.environment["MEDIAFORM_PG_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
            ?? 300
    }()

    /// Waits for `future`, failing when the connection closes (the driver may otherwise wait for an answer that
    /// cannot come) or the statement timeout passes.
    private func wait<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let loop = future.eventLoop
        let promise = loop.makePromise(of: T.self)
        future.cascade(to: promise)
        connection.closeFuture.whenComplete { _ in promise.fail(SessionEnded.closed) }
        let timeout = Self.statementTimeout
        let connection = self.connection
        let timer = loop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            promise.fail(SessionEnded.timedOut(timeout))
            let _: EventLoopFuture<Void> = connection.close()
        }
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }

    /// Runs `body` in a transaction; rolls back when it throws.
    func transaction<R>(_ begin: String = "BEGIN", _ body: () throws(StateError) -> R) throws(StateError) -> R {
        try query(begin, doing: "start a transaction")
        do {
            let result = try body()
            try query("COMMIT", doing: "commit")
            return result
        } catch {
            _ = try? query("ROLLBACK", doing: "roll back")
            throw error
        }
    }

    func close() {
        guard !connection.isClosed else { return }
        let closing: EventLoopFuture<Void> = connection.close()
        _ = try? wait(closing)
    }
}

/// Bind lists built in order: `binds.add(x)` returns the `$n` placeholder.
extension PostgresBindings {
    init(_ values: any PostgresNonThrowingEncodable...) {
        self.init(capacity: values.count)
        for value in values { append(value) }
    }

    /// Every type mediaform binds (String, Int64, Int32, arrays of them) encodes without throwing.
    mutating func append(_ value: any PostgresNonThrowingEncodable) {
        append(value, context: .default)
    }
}

extension PostgresCell {
    /// A text column's value, nil for NULL.
    var text: String? {
        guard var bytes else { return nil }
        return bytes.readString(length: bytes.readableBytes)
    }

    var int: Int64? {
        guard var bytes else { return nil }
        switch dataType {
        case .int8: return bytes.readInteger(as: Int64.self)
        case .int4: return bytes.readInteger(as: Int32.self).map(Int64.init)
        case .int2: return bytes.readInteger(as: Int16.self).map(Int64.init)
        default: return nil
        }
    }

    var bool: Bool? {
        guard var bytes else { return nil }
        return bytes.readInteger(as: UInt8.self).map { $0 != 0 }
    }
}
