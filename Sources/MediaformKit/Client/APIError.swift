import Foundation
import MediaformCore

/// An error answer from the API gateway (docs/ims-api.md §6.1): `{RequestId, HostId, Code, Message, Recommend}`.
public struct ServiceError: Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var requestId: String?
    public var hostId: String?
    public var recommend: String?
    public var httpStatus: Int
    /// Seconds from `x-acs-retry-after`, when the server sent it.
    public var retryAfter: Double?

    public init(
        code: String, message: String, requestId: String? = nil, hostId: String? = nil, recommend: String? = nil,
        httpStatus: Int, retryAfter: Double? = nil
    ) {
        self.code = code
        self.message = message
        self.requestId = requestId
        self.hostId = hostId
        self.recommend = recommend
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String {
        // V1 SignatureDoesNotMatch messages quote the server's string to sign; it holds no secret, but keep it short.
        var s = "\(code): \(message.count > 300 ? String(message.prefix(300)) + "…" : message) (HTTP \(httpStatus)"
        if let requestId { s += ", request \(requestId)" }
        return s + ")"
    }
}

/// What may be done after a failure (docs/ims-api.md §6.3), decided by error code, never by HTTP status alone.
public enum ErrorClass: Sendable, Equatable {
    /// Throttling or a transient server error: the request had no effect; back off and retry.
    case retryable
    /// Nonce or timestamp rejected: re-sign with a fresh pair and retry once.
    case resign
    /// The credentials were rejected: refresh temporary credentials once, then give up.
    case refreshCredentials
    /// The request may or may not have taken effect (timeout, reset, a 5xx without an error body).
    case ambiguous
    /// Anything else: do not retry.
    case fatal
}

/// Why a call failed. Messages never contain a secret, a token or a signature.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    case service(ServiceError)
    case transport(TransportError)
    /// A response that is not the JSON the API sends.
    case invalidResponse(status: Int, detail: String)
    case credentials(CredentialError)
    /// The call was cancelled (Ctrl-C) before it completed.
    case cancelled

    /// What can be done about it.
    public var errorClass: ErrorClass {
        switch self {
        case .service(let e): return Self.classify(code: e.code, status: e.httpStatus)
        case .transport(.notSent): return .retryable
        case .transport(.ambiguous): return .ambiguous
        case .invalidResponse(let status, _):
            // A 2xx that cannot be read was executed; a bare 5xx from a proxy may have been.
            return (200..<300).contains(status) || [500, 502, 503, 504].contains(status) ? .ambiguous : .fatal
        case .credentials, .cancelled: return .fatal
        }
    }

    /// True when the request surely had no effect on the server.
    public var surelyNotExecuted: Bool {
        switch errorClass {
        case .retryable, .resign, .refreshCredentials: return true
        case .fatal:
            if case .service = self { return true }  // an error answer means the call was rejected
            if case .credentials = self { return true }
            return false
        case .ambiguous: return false
        }
    }

    static let retryableCodes: Set<String> = [
        "ServiceUnavailable", "ServiceUnAvailable", "InternalError", "UnknownError",
    ]

    /// Classification of a gateway error code (docs/ims-api.md §6.2, §6.3).
    public static func classify(code: String, status: Int) -> ErrorClass {
        if code == "Throttling" || code.hasPrefix("Throttling.") || retryableCodes.contains(code) { return .retryable }
        if code == "SignatureNonceUsed" || code == "InvalidTimeStamp.Expired" { return .resign }
        if code == "InvalidAccessKeyId.NotFound" || code.hasPrefix("InvalidSecurityToken.") {
            return .refreshCredentials
        }
        return .fatal
    }

    /// The API's error code, or a mediaform code for failures without one.
    public var code: String {
        switch self {
        case .service(let e): e.code
        case .transport(.notSent): "ConnectionFailed"
        case .transport(.ambiguous): "ConnectionLostOrTimedOut"
        case .invalidResponse: "InvalidResponse"
        case .credentials: "CredentialsUnavailable"
        case .cancelled: "Cancelled"
        }
    }

    public var description: String {
        switch self {
        case .service(let e): return e.description
        case .transport(.notSent(let reason)): return "could not reach the API (\(reason)); nothing was sent"
        case .transport(.ambiguous(let reason)):
            return "the connection failed after the request was sent (\(reason)); it may or may not have taken effect"
        case .invalidResponse(let status, let detail): return "unexpected response (HTTP \(status)): \(detail)"
        case .credentials(let e): return e.description
        case .cancelled: return "cancelled"
        }
    }

    /// Parses a non-2xx answer (JSON `Code`/`code`, `Message`/`message`, …).
    static func fromResponse(_ response: HTTPResponse) -> APIError {
        let retryAfter = response.headers["x-acs-retry-after"].flatMap(Double.init).map { min(max($0, 0), 120) }
        guard let value = try? JSONParser.parse(response.body),
            let code = value["Code"]?.stringValue ?? value["code"]?.stringValue
        else {
            let snippet = String(decoding: response.body.prefix(200), as: UTF8.self)
            return .invalidResponse(status: response.status, detail: snippet.isEmpty ? "empty body" : snippet)
        }
        return .service(
            ServiceError(
                code: code, message: value["Message"]?.stringValue ?? value["message"]?.stringValue ?? "",
                requestId: value["RequestId"]?.stringValue ?? value["requestId"]?.stringValue,
                hostId: value["HostId"]?.stringValue, recommend: value["Recommend"]?.stringValue,
                httpStatus: response.status, retryAfter: retryAfter))
    }
}
