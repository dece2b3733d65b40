/// Removes secrets from URLs before they are shown, logged or stored.
///
/// A signed URL (OSS, CDN auth, S3, Azure SAS) carries its credential in the query string; such a query is dropped
/// whole, since its other parameters are usually bound to the signature anyway. `user:password@` is dropped too.
/// URLs with an ordinary query (`?v=2`) are kept as they are: the query may be part of the media's identity.
public enum URLRedaction {
    /// Query parameter names (lower-cased) that mark a signed URL.
    static let sensitiveNames: Set<String> = [
        "signature", "expires", "ossaccesskeyid", "security-token", "securitytoken", "auth_key", "accesskeyid",
        "access_key", "accesskey", "token", "sig", "sign", "sas", "credential", "x-goog-signature",
        "x-goog-credential",
    ]
    /// Name prefixes (lower-cased) that mark a signed URL.
    static let sensitivePrefixes = ["x-oss-", "x-amz-", "x-goog-", "x-acs-"]

    /// True when `name` is a query parameter that carries or binds a credential.
    public static func isSensitiveParameter(_ name: String) -> Bool {
        let lower = name.lowercased()
        return sensitiveNames.contains(lower) || sensitivePrefixes.contains { lower.hasPrefix($0) }
    }

    /// The URL without user info and, when any parameter is sensitive, without its query string.
    public static func redact(_ url: String) -> String {
        // Fast path for the common case, on bytes (String.contains(String) goes through Foundation); over the
        // contiguous UTF-8 when there is one (native strings), a tight loop rather than the UTF-8 view's iterator.
        let marked = { (b: UInt8) in b == UInt8(ascii: "?") || b == UInt8(ascii: "@") }
        guard
            url.utf8.withContiguousStorageIfAvailable({ $0.contains(where: marked) })
                ?? url.utf8.contains(where: marked)
        else { return url }
        var result = url
        // Strip user info: between "://" and the first "@" that comes before the path.
        if let schemeEnd = result.range(of: "://") {
            let afterScheme = result[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@") {
                result.removeSubrange(schemeEnd.upperBound...at)
            }
        }
        guard let q = result.firstIndex(of: "?") else { return result }
        let queryEnd = result[q...].firstIndex(of: "#") ?? result.endIndex
        let query = result[result.index(after: q)..<queryEnd]
        let names = query.split(separator: "&").map { item -> String in
            let name = item.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return name.removingPercentEncodingLeniently
        }
        guard names.contains(where: isSensitiveParameter) else { return result }
        return String(result[..<q]) + String(result[queryEnd...])
    }
}

extension String {
    /// Percent-decoding; a malformed string is kept as it is.
    var removingPercentEncodingLeniently: String {
        guard contains("%") else { return self }
        return PercentEncoding.decode(Substring(self), plusAsSpace: false) ?? self
    }
}
