import Foundation

/// What a request for a source found: the final answer after redirects, or why there was none.
public struct SourceProbe: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// An answer: its status, `Content-Type` and the whole object's length (from `Content-Length` of a HEAD,
        /// or the total of `Content-Range` of a one-byte GET), when given.
        case answered(status: Int, contentType: String?, length: Int64?)
        /// No answer: DNS, connection, TLS or timeout, in words.
        case unreachable(String)
        /// More redirects than `SourceCheck.maxRedirects`.
        case tooManyRedirects
    }

    public var outcome: Outcome
    /// `HEAD`, or `GET` when the server refused HEAD and a one-byte ranged GET was sent instead.
    public var method: String
    /// Redirects followed.
    public var redirects: Int

    public init(outcome: Outcome, method: String = "HEAD", redirects: Int = 0) {
        self.outcome = outcome
        self.method = method
        self.redirects = redirects
    }
}

/// `--check-sources`: what a source's signature and a request for it say about whether the API will be able to
/// fetch it, as diagnostics located at the asset's `source:` value. Pure: the requests are made by the caller.
///
/// The URL in messages is always redacted (no signature, token or credentials).
public enum SourceCheck {
    /// Redirects followed before giving up.
    public static let maxRedirects = 5

    /// Checks that need no request: a signed URL that has expired (an error: no request is sent) or that expires
    /// within `margin` seconds of `now` (a warning: the API fetches the source some time after apply sends it).
    /// - Returns: the diagnostics, and whether a request is still worth sending.
    public static func beforeRequest(_ asset: Asset, now: Int64, margin: Int64) -> (
        diagnostics: [Diagnostic], probe: Bool
    ) {
        guard let expiry = SignedURLExpiry.expiry(of: asset.source) else { return ([], true) }
        let at = location(asset)
        if expiry <= now {
            return (
                [
                    .error(
                        "the signed source URL expired at \(iso(expiry)) (\(span(now - expiry)) ago); sign it again",
                        at: at)
                ], false
            )
        }
        if expiry - now <= margin {
            return (
                [
                    .warning(
                        "the signed source URL expires at \(iso(expiry)), in \(span(expiry - now)): the API fetches "
                            + "sources some time after apply sends them; sign it for longer (--expiry-margin is "
                            + "\(span(margin)))", at: at)
                ], true
            )
        }
        return ([], true)
    }

    /// The diagnostics of a request's outcome for `asset`: unreachable, a status other than 2xx, a type that is
    /// not audio or video, a length other than `fileSize`, or an empty object.
    public static func findings(_ asset: Asset, probe: SourceProbe) -> [Diagnostic] {
        let at = location(asset)
        let url = asset.redactedSource
        switch probe.outcome {
        case .unreachable(let reason):
            return [.error("the source cannot be reached (\(reason)): \(url)", at: at)]
        case .tooManyRedirects:
            return [.error("the source redirects more than \(maxRedirects) times: \(url)", at: at)]
        case .answered(let status, let contentType, let length):
            guard (200..<300).contains(status) else {
                let via = probe.redirects > 0 ? " after \(probe.redirects) redirect(s)" : ""
                return [.error("the source answers HTTP \(status) to \(probe.method)\(via): \(url)", at: at)]
            }
            var diagnostics: [Diagnostic] = []
            if let contentType, !acceptsContentType(contentType) {
                diagnostics.append(
                    .error(
                        "the source's Content-Type is '\(contentType)', not audio or video (an error page, or a "
                            + "login page saved under a media URL?): \(url)", at: at))
                return diagnostics  // Its length is that of the page: saying so adds nothing.
            }
            if let length {
                if length == 0 {
                    diagnostics.append(.error("the source is empty (0 bytes): \(url)", at: at))
                } else if let expected = asset.fileSize, expected != length {
                    diagnostics.append(
                        .error(
                            "the source is \(length) bytes, but 'fileSize' says \(expected): \(url)", at: at))
                }
            }
            return diagnostics
        }
    }

    /// Audio and video types, streaming manifests, and generic binary types are accepted; anything else (HTML,
    /// JSON, text, images) is not. Parameters (`; charset=…`) are ignored.
    public static func acceptsContentType(_ value: String) -> Bool {
        let type = (value.split(separator: ";").first.map(String.init) ?? value).lowercased()
            .trimmingCharacters(in: .whitespaces)
        if type.isEmpty || type.hasPrefix("audio/") || type.hasPrefix("video/") { return true }
        return [
            "application/octet-stream", "binary/octet-stream", "application/vnd.apple.mpegurl",
            "application/x-mpegurl", "application/dash+xml", "application/mp4", "application/ogg", "application/mxf",
        ].contains(type)
    }

    static func location(_ asset: Asset) -> SourceLocation { asset.sourceLocation ?? asset.location }

    /// `1h 5min`, `20 min`, `45 s`, `3 d`.
    static func span(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86_400 { return s % 3600 >= 60 ? "\(s / 3600) h \(s % 3600 / 60) min" : "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }

    /// `2026-12-02T08:34:00Z`.
    static func iso(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        let secondOfDay = epoch - days * 86_400
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):"
            + "\(two(secondOfDay % 60))Z"
    }
}
