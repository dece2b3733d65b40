/// A PostgreSQL connection URL (`postgres://user:password@host:5432/database?sslmode=require`), parsed without
/// I/O. `redacted` is the only form that may be printed: the password never reaches output or logs.
public struct PostgresURL: Sendable, Equatable {
    /// How the connection uses TLS, with libpq's names for the modes mediaform supports.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without verifying its certificate (libpq's default).
        case prefer
        /// TLS required, certificate not verified.
        case require
        /// TLS required, certificate and host name verified against the system's trust store.
        case verifyFull = "verify-full"
    }

    public var user: String?
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String?
    public var tlsMode: TLSMode
    /// `connect_timeout` in seconds (libpq's name); nil means the default.
    public var connectTimeout: Double?

    public struct Problem: Error, Sendable, Equatable {
        public var message: String
    }

    /// `postgres://alice:***@db.example.com:5432/media?sslmode=require`.
    public var redacted: String {
        var text = "postgres://"
        if let user {
            text += PercentEncoding.encode(user)
            if password != nil { text += ":***" }
            text += "@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        if let database { text += "/" + PercentEncoding.encode(database) }
        if tlsMode != .prefer { text += "?sslmode=\(tlsMode.rawValue)" }
        return text
    }

    /// Parses a URL; the problem never quotes the password.
    public static func parse(_ text: String) -> Result<PostgresURL, Problem> {
        func fail(_ message: String) -> Result<PostgresURL, Problem> { .failure(Problem(message: message)) }
        var rest = Substring(text)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            return fail("a PostgreSQL URL starts with postgres:// or postgresql://")
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var url = PostgresURL(
            user: nil, password: nil, host: "localhost", port: 5432, database: nil, tlsMode: .prefer,
            connectTimeout: nil)
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                guard let user = PercentEncoding.decode(userInfo[..<colon], plusAsSpace: false),
                    let password = PercentEncoding.decode(userInfo[userInfo.index(after: colon)...], plusAsSpace: false)
                else {
                    return fail("the user or password part of the URL has a broken %-escape")
                }
                url.user = user.isEmpty ? nil : user
                url.password = password
            } else {
                guard let user = PercentEncoding.decode(userInfo, plusAsSpace: false) else {
                    return fail("the user part of the URL has a broken %-escape")
                }
                url.user = user.isEmpty ? nil : user
            }
        }
        var hostPart = rest
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return fail("an IPv6 host must end with ']'") }
            url.host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if !hostPart.isEmpty {
                guard hostPart.hasPrefix(":") else { return fail("unexpected text after the IPv6 host") }
            }
        } else if let colon = hostPart.firstIndex(of: ":") {
            url.host = String(hostPart[..<colon])
            hostPart = hostPart[colon...]
        } else {
            url.host = String(hostPart)
            hostPart = ""
        }
        if hostPart.hasPrefix(":") {
            guard let port = Int(hostPart.dropFirst()), (1...65535).contains(port) else {
                return fail("the port must be a number from 1 to 65535")
            }
            url.port = port
        }
        if url.host.isEmpty { url.host = "localhost" }
        if url.host.contains(",") { return fail("several hosts in one URL are not supported") }
        if !path.isEmpty {
            guard let database = PercentEncoding.decode(path, plusAsSpace: false), !database.contains("/") else {
                return fail("the database name is not valid")
            }
            url.database = database
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? (PercentEncoding.decode(parts[1], plusAsSpace: false) ?? "") : ""
            switch name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    return fail(
                        "sslmode '\(value)' is not supported; use \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                url.tlsMode = mode
            case "connect_timeout":
                guard let seconds = Double(value), seconds > 0 else {
                    return fail("connect_timeout must be a positive number of seconds")
                }
                url.connectTimeout = seconds
            case "user":
                url.user = value
            case "password":
                url.password = value
            case "application_name", "search_path":
                break
            default:
                return fail(
                    "unknown URL parameter '\(name)' (supported: sslmode, connect_timeout, user, password, application_name)"
                )
            }
        }
        return .success(url)
    }

    /// A name PostgreSQL accepts unquoted and mediaform can put into SQL text safely.
    public static func isPlainIdentifier(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 63, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
