/// Access key credentials for one request. `description` never shows the secret or the token.
public struct AccessKey: Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var secret: String
    /// STS token for temporary credentials.
    public var securityToken: String?

    public init(id: String, secret: String, securityToken: String? = nil) {
        self.id = id
        self.secret = secret
        self.securityToken = securityToken
    }

    public var description: String {
        "AccessKey(id: \(id), secret: <redacted>\(securityToken == nil ? "" : ", token: <redacted>"))"
    }
}

/// Which signature to use: V3 (`ACS3-HMAC-SHA256`, the SDK's default) or V1 (RPC `HMAC-SHA1`).
public enum SignatureVersion: String, Sendable, CaseIterable {
    case v3, v1
}

/// A signed HTTP request, ready to send.
public struct SignedRequest: Sendable, Equatable {
    public var method: String
    /// `scheme://host[:port]/?query`; the query is exactly the signed canonical query (plus `Signature` for V1).
    public var url: String
    public var headers: [(name: String, value: String)]

    public static func == (a: SignedRequest, b: SignedRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.headers.elementsEqual(b.headers) { $0 == $1 }
    }
}

/// Builds signed ICE requests the way the official SDK does (docs/ims-api.md §1.2, §1.3, §2): POST, every parameter in
/// the query, no body; a fresh timestamp and nonce supplied by the caller for every attempt.
public enum RequestSigner {
    public static let apiVersion = "2020-11-09"

    /// - Parameters:
    ///   - endpoint: `scheme://host[:port]` without a path.
    ///   - host: the `host` header value (the endpoint's host and port).
    ///   - timestamp: `yyyy-MM-ddTHH:mm:ssZ`, UTC.
    ///   - nonce: unique per request, retries included.
    public static func sign(
        action: String, parameters: [(name: String, value: String)], endpoint: String, host: String,
        credentials: AccessKey, timestamp: String, nonce: String, userAgent: String, version: SignatureVersion = .v3,
        apiVersion: String = apiVersion
    ) -> SignedRequest {
        switch version {
        case .v3:
            let query = PercentEncoding.canonicalQuery(parameters)
            var headers: [(name: String, value: String)] = [
                ("host", host), ("x-acs-action", action), ("x-acs-version", apiVersion), ("x-acs-date", timestamp),
                ("x-acs-signature-nonce", nonce), ("x-acs-content-sha256", SignatureV3.emptyPayloadHash),
            ]
            if let token = credentials.securityToken {
                headers.append(("x-acs-accesskey-id", credentials.id))
                headers.append(("x-acs-security-token", token))
            }
            let signed = SignatureV3.sign(
                method: "POST", canonicalQuery: query, headers: Dictionary(headers, uniquingKeysWith: { a, _ in a }),
                accessKeyId: credentials.id, accessKeySecret: credentials.secret)
            headers.append(("accept", "application/json"))
            headers.append(("user-agent", userAgent))
            headers.append(("Authorization", signed.authorization))
            return SignedRequest(
                method: "POST", url: endpoint + "/" + (query.isEmpty ? "" : "?" + query), headers: headers)
        case .v1:
            var all = parameters
            all += [
                ("Action", action), ("Format", "json"), ("Version", apiVersion), ("Timestamp", timestamp),
                ("SignatureNonce", nonce), ("SignatureMethod", "HMAC-SHA1"), ("SignatureVersion", "1.0"),
                ("AccessKeyId", credentials.id),
            ]
            if let token = credentials.securityToken { all.append(("SecurityToken", token)) }
            let stringToSign = SignatureV1.stringToSign(method: "POST", parameters: all)
            let signature = SignatureV1.signature(stringToSign: stringToSign, accessKeySecret: credentials.secret)
            let query = PercentEncoding.canonicalQuery(all) + "&Signature=" + PercentEncoding.encode(signature)
            let headers: [(name: String, value: String)] = [
                ("host", host), ("x-acs-action", action), ("x-acs-version", apiVersion), ("accept", "application/json"),
                ("user-agent", userAgent),
            ]
            return SignedRequest(method: "POST", url: endpoint + "/?" + query, headers: headers)
        }
    }
}
