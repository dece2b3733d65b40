/// Alibaba Cloud request signatures, exactly as the official SDK computes them (docs/ims-api.md §2), proven against
/// the SDK's own vectors (`Tests/Fixtures/vectors/sigvectors.json`). Pure functions: the caller supplies the
/// timestamp and nonce, so the client can use a fresh pair for every attempt and tests can pin them.
public enum SignatureV3 {
    public static let algorithm = "ACS3-HMAC-SHA256"
    /// SHA-256 of the empty body: ICE requests carry everything in the query.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The parts of a V3 signature, kept for debugging and for verification by the emulator.
    public struct Signed: Sendable, Equatable {
        public var canonicalRequest: String
        public var hashedCanonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var signedHeaders: String
        /// The `Authorization` header value.
        public var authorization: String
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: the HTTP method sent (`POST`).
    ///   - canonicalQuery: `PercentEncoding.canonicalQuery` of the parameters.
    ///   - headers: every header of the request (names in any case).
    ///   - signedHeaderNames: which headers to sign (lower-case); nil signs `host`, every `x-acs-*` header and
    ///     `content-type`, as the V3 documentation requires.
    ///   - payloadHash: lower-hex SHA-256 of the body.
    public static func sign(
        method: String, path: String = "/", canonicalQuery: String, headers: [String: String],
        signedHeaderNames: [String]? = nil, payloadHash: String = emptyPayloadHash, accessKeyId: String,
        accessKeySecret: String
    ) -> Signed {
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = value.trimmingWhitespace
            lowered[key] = lowered[key].map { [$0, trimmed].sorted().joined(separator: ",") } ?? trimmed
        }
        let names =
            (signedHeaderNames
            ?? lowered.keys.filter {
                $0 == "host" || $0 == "content-type" || ($0.hasPrefix("x-acs-") && $0 != "authorization")
            })
            .map { $0.lowercased() }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonicalHeaders = names.map { "\($0):\(lowered[$0] ?? "")\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(
            separator: "\n")
        let hashed = Digest.sha256Hex(canonicalRequest)
        let stringToSign = algorithm + "\n" + hashed
        let signature = Digest.hex(Digest.hmac(.sha256, key: accessKeySecret, message: stringToSign))
        return Signed(
            canonicalRequest: canonicalRequest, hashedCanonicalRequest: hashed, stringToSign: stringToSign,
            signature: signature, signedHeaders: signedHeaders,
            authorization:
                "\(algorithm) Credential=\(accessKeyId),SignedHeaders=\(signedHeaders),Signature=\(signature)")
    }

    /// The parts of an `Authorization` header: credential (access key ID), signed header names, signature.
    public static func parseAuthorization(_ value: String) -> (
        accessKeyId: String, signedHeaders: [String], signature: String
    )? {
        guard value.hasPrefix(algorithm + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in value.dropFirst(algorithm.count + 1).split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            fields[kv[0].trimmingWhitespace] = String(kv[1])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else {
            return nil
        }
        return (credential, signed.split(separator: ";").map(String.init), signature)
    }
}

/// The RPC signature, version 1.0 (HMAC-SHA1), used by the aliyun CLI, the legacy SDK and STS.
public enum SignatureV1 {
    /// `METHOD&%2F&` + the encoded canonical query of every parameter except `Signature`.
    public static func stringToSign(method: String, parameters: [(name: String, value: String)]) -> String {
        let canonical = PercentEncoding.canonicalQuery(parameters.filter { $0.name != "Signature" })
        return method + "&" + PercentEncoding.encode("/") + "&" + PercentEncoding.encode(canonical)
    }

    /// Base64 HMAC-SHA1 with the key `secret + "&"`.
    public static func signature(stringToSign: String, accessKeySecret: String) -> String {
        Digest.base64(Digest.hmac(.sha1, key: accessKeySecret + "&", message: stringToSign))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
