import Foundation
import Logging
import MediaformCore
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to PostgreSQL. Every call is awaited (never `.wait()`ed), so no thread is blocked while the
/// server answers; statements of one session run in the order they are awaited.
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
    static func connect(_ settings: PostgresStateSettings) async throws(StateError) -> PostgresSession {
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
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger)
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
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String) async throws(StateError)
        -> [PostgresRow]
    {
        do {
            guard !connection.isClosed else { throw SessionEnded.closed }
            return try await wait(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger))
                .rows
        } catch {
            throw Self.describe(error, doing: doing, settings: settings)
        }
    }

    /// The first column of the first row of a one-value query, as a boolean (nil when there is no row or NULL).
    func bool(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String) async throws(StateError)
        -> Bool?
    {
        try await query(sql, binds, doing: doing).first.flatMap { row in
            var cells = row.makeIterator()
            return cells.next()?.bool
        }
    }

    /// The first column of the first row of a one-value query, as an integer (nil when there is no row or NULL).
    func int(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String) async throws(StateError)
        -> Int64?
    {
        try await query(sql, binds, doing: doing).first.flatMap { row in
            var cells = row.makeIterator()
            return cells.next()?.int
        }
    }

    /// Runs one statement and hands each row to `onRow` on the driver's thread as it arrives. For large results:
    /// the driver's collected `rows` grow by copying (quadratic at a million rows).
    func forEachRow(
        _ sql: String, _ binds: PostgresBindings = PostgresBindings(), doing: String,
        _ onRow: @escaping @Sendable (PostgresRow) throws -> Void
    ) async throws(StateError) {
        do {
            guard !connection.isClosed else { throw SessionEnded.closed }
            _ = try await wait(
                connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: Self.logger, onRow))
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
    private func wait<T: Sendable>(_ future: EventLoopFuture<T>) async throws -> T {
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
        return try await promise.futureResult.get()
    }

    /// Runs `body` in a transaction; rolls back when it throws.
    func transaction<R>(
        _ begin: String = "BEGIN", _ body: () async throws(StateError) -> R
    ) async throws(StateError) -> R {
        try await query(begin, doing: "start a transaction")
        do {
            let result = try await body()
            try await query("COMMIT", doing: "commit")
            return result
        } catch {
            _ = try? await query("ROLLBACK", doing: "roll back")
            throw error
        }
    }

    /// Closes the connection (the server then releases a session-level advisory lock it held).
    func close() async {
        guard !connection.isClosed else { return }
        let closing: EventLoopFuture<Void> = connection.close()
        _ = try? await wait(closing)
    }

    /// Closes the connection without waiting (from a deinitialiser).
    func closeSoon() {
        guard !connection.isClosed else { return }
        let _: EventLoopFuture<Void> = connection.close()
    }
}
