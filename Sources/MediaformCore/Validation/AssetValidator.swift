import Foundation

/// The API's limits (ims-api.md §3, §5.4), checked before anything is sent.
public enum APILimits {
    public static let titleBytes = 128
    public static let descriptionBytes = 1024
    public static let tagCount = 16
    public static let tagBytes = 32
    public static let coverBytes = 128
    /// VOD's limit on `UserData.Extend`; ICE's own is UNCONFIRMED (ims-api.md §3.1), so we keep VOD's.
    public static let extendBytes = 512
    /// Bytes of `Extend` kept for mediaform's own marker (`"mediaform":"<operation id>"`), used by apply to find
    /// its jobs after a crash. The user's extend data gets the rest.
    public static let extendMarkerReserve = 96
    /// UNCONFIRMED for UploadMediaByURL; UpdateMediaInfo documents 1024 bytes (ims-api.md §3.1).
    public static let userDataBytes = 1024
    public static let urlBytes = 2048
    public static let keyBytes = 256

    /// Audio and video extensions IMS registers (ims-api.md §3.3). Whether URL upload accepts exactly this list
    /// is UNCONFIRMED; it is the best list published.
    public static let videoExtensions: Set<String> = [
        "mp4", "ts", "3gp", "mpg", "mpeg", "mpe", "dat", "vob", "asf", "avi", "wmv", "flv", "f4v", "rm", "rmvb", "mov",
        "mkv", "m3u8", "dv", "gif", "m2t", "m4v", "mj2", "mjpeg", "mts", "ogg", "qt", "swf", "webm",
    ]
    public static let audioExtensions: Set<String> = [
        "mp3", "wma", "wav", "aac", "ra", "m4a", "flac", "ape", "ac3", "amr", "caf", "acm",
    ]
    public static var mediaExtensions: Set<String> { videoExtensions.union(audioExtensions) }
}

/// Checks merged asset fields against the API's rules and builds the effective `Asset`.
struct AssetValidator {
    var diagnostics: [Diagnostic] = []
    private static let mediaExtensions = APILimits.mediaExtensions

    private mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
    }

    /// The effective asset, or nil when a required field is missing (other problems are reported and the asset is
    /// still returned so that cross-file checks can run on it).
    mutating func validate(_ f: AssetFields) -> Asset? {
        guard let source = f.source else {
            if !f.invalidKeys.contains("source") {
                error("asset is missing 'source' (the URL of the media file to upload)", at: f.location)
            }
            return nil
        }
        checkSource(source, fileExtension: f.fileExtension)
        let key = f.key?.value ?? Self.defaultKey(for: source.value)
        if let k = f.key { checkKey(k) }

        guard let title = f.title else {
            if !f.invalidKeys.contains("title") { error("asset '\(key)' is missing 'title'", at: f.location) }
            return nil
        }
        checkText(title, field: "title", limit: APILimits.titleBytes, allowNewlines: false)
        // A visible ASCII character settles it without Foundation; only otherwise ask for Unicode whitespace.
        if !title.value.utf8.contains(where: { $0 > 0x20 && $0 < 0x7F }) && title.value.trimmingCharacters(in: .whitespaces).isEmpty {
            error("'title' must not be empty", at: title.location)
        }
        if let d = f.description { checkText(d, field: "description", limit: APILimits.descriptionBytes, allowNewlines: true) }
        let tags = f.tags ?? []
        if tags.count > APILimits.tagCount {
            error("asset '\(key)' has \(tags.count) tags (with defaults); the API allows at most \(APILimits.tagCount)", at: f.tagsLocation ?? f.location)
        }
        for tag in tags {
            checkText(tag, field: "tag", limit: APILimits.tagBytes, allowNewlines: false)
            if tag.value.isEmpty {
                error("tags must not be empty", at: tag.location)
            } else if tag.value.utf8.contains(UInt8(ascii: ",")) {
                error("tag '\(tag.value)' contains a comma; the API separates tags with commas", at: tag.location)
            }
        }
        if let cover = f.cover {
            checkHTTPURL(cover, field: "cover")
            let bytes = cover.value.utf8.count
            if bytes > APILimits.coverBytes {
                error("'cover' is \(bytes) bytes; the API allows at most \(APILimits.coverBytes)", at: cover.location)
            }
        }
        if let callback = f.callback { checkHTTPURL(callback, field: "callback") }
        if let ext = f.fileExtension, !Self.mediaExtensions.contains(ext.value.lowercased()) {
            error("'fileExtension' '\(ext.value)' is not an audio or video format IMS accepts (for example mp4, mov, mp3)", at: ext.location)
        }
        checkUserData(f, key: key)

        return Asset(
            key: key, source: source.value, title: title.value, description: f.description?.value,
            tags: tags.map(\.value), category: f.category?.value, cover: f.cover?.value, workflow: f.workflow?.value,
            fileExtension: f.fileExtension?.value.lowercased(), fileSize: f.fileSize?.value, metadata: f.metadata?.value,
            entity: f.entity?.value, protect: f.protect?.value ?? false, callback: f.callback?.value,
            extend: f.extend?.value, storageLocation: f.storageLocation?.value,
            postProcessWorkflow: f.postProcessWorkflow?.value, location: f.location)
    }

    /// The key of an asset that has none: its source without scheme, credentials or signed query,
    /// e.g. `cdn.example.com/swift/01-intro.mp4`.
    static func defaultKey(for source: String) -> String {
        var s = URLRedaction.redact(source)
        if let r = s.range(of: "://") { s = String(s[r.upperBound...]) }
        if let hash = s.firstIndex(of: "#") { s = String(s[..<hash]) }
        return s
    }

    private mutating func checkKey(_ key: Located<String>) {
        let utf8 = key.value.utf8
        if utf8.count > APILimits.keyBytes {
            error("'key' is \(utf8.count) bytes; keys may have at most \(APILimits.keyBytes)", at: key.location)
        }
        let isASCII = utf8.allSatisfy { $0 < 0x80 }
        if isASCII ? utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
            : key.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            error("'key' must not contain control characters", at: key.location)
        }
        if utf8.first == 0x20 || utf8.last == 0x20
            || (!isASCII && key.value != key.value.trimmingCharacters(in: .whitespaces))
        {
            error("'key' must not start or end with a space", at: key.location)
        }
    }

    private mutating func checkText(_ text: Located<String>, field: String, limit: Int, allowNewlines: Bool) {
        let utf8 = text.value.utf8
        if utf8.count > limit {
            error("'\(field)' is \(utf8.count) bytes in UTF-8; the API allows at most \(limit)", at: text.location)
        }
        // Fast path: pure ASCII has no emoji and only ASCII line breaks.
        let isASCII = utf8.allSatisfy { $0 < 0x80 }
        if !isASCII, let emoji = text.value.unicodeScalars.first(where: Self.isEmoji) {
            error("'\(field)' contains the emoji '\(emoji)' (U+\(String(emoji.value, radix: 16, uppercase: true))); the API does not accept emoji", at: text.location)
        }
        if !allowNewlines,
            isASCII ? utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) : text.value.contains(where: \.isNewline)
        {
            error("'\(field)' must be one line", at: text.location)
        }
    }

    /// Emoji as the API means it: pictographs shown as emoji by default, the pictograph blocks, and the
    /// emoji-presentation selector. Text symbols such as © and ™ are allowed.
    static func isEmoji(_ scalar: Unicode.Scalar) -> Bool {
        (0x1F000...0x1FAFF).contains(scalar.value)
            || scalar.value == 0xFE0F
            || scalar.value > 0x2000 && scalar.properties.isEmojiPresentation
    }

    private mutating func checkSource(_ source: Located<String>, fileExtension: Located<String>?) {
        guard checkHTTPURL(source, field: "source") else { return }
        if fileExtension == nil {
            let ext = Self.pathExtension(of: source.value)
            if ext.isEmpty {
                error("'source' has no file extension in its path; add 'fileExtension' (for example mp4)", at: source.location)
            } else if !Self.mediaExtensions.contains(ext) {
                error("'source' ends in '.\(ext)', which is not an audio or video format IMS accepts; set 'fileExtension' if the URL serves media anyway", at: source.location)
            }
        }
    }

    /// Checks an absolute http(s) URL with a host and no whitespace. Returns false when it is not one.
    @discardableResult
    private mutating func checkHTTPURL(_ url: Located<String>, field: String) -> Bool {
        let s = url.value
        guard let schemeLength = Self.httpSchemeLength(s) else {
            error("'\(field)' must be an absolute http(s) URL, found '\(URLRedaction.redact(s))'", at: url.location)
            return false
        }
        let host = s.utf8.dropFirst(schemeLength).prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        if host.isEmpty || host.first == UInt8(ascii: "@") || host.last == UInt8(ascii: "@") {
            error("'\(field)' has no host", at: url.location)
            return false
        }
        let clean = s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }  // fast path: printable ASCII, no space
        if !clean, let bad = s.unicodeScalars.first(where: { $0 == " " || $0.properties.generalCategory == .control || $0.properties.isWhitespace }) {
            let what = bad == " " ? "a space; encode it as %20" : "whitespace or a control character (U+\(String(bad.value, radix: 16, uppercase: true)))"
            error("'\(field)' contains \(what)", at: url.location)
            return false
        }
        if s.utf8.count > APILimits.urlBytes {
            error("'\(field)' is \(s.utf8.count) bytes; URLs may have at most \(APILimits.urlBytes)", at: url.location)
            return false
        }
        return true
    }

    /// The length of a leading `http://` or `https://` (any case), or nil.
    static func httpSchemeLength(_ s: String) -> Int? {
        let u = s.utf8
        let lower = u.prefix(8).map { $0 | 0x20 }  // ASCII letters to lower case; ':' and '/' are unaffected
        if lower.starts(with: Array("https://".utf8)) { return 8 }
        if lower.starts(with: Array("http://".utf8)) { return 7 }
        return nil
    }

    /// The lower-cased extension of the URL's last path segment, or "" when it has none.
    static func pathExtension(of url: String) -> String {
        var path = url.utf8[...]
        if let schemeLength = httpSchemeLength(url) { path = path.dropFirst(schemeLength) }
        if let end = path.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) { path = path[..<end] }
        guard let slash = path.firstIndex(of: UInt8(ascii: "/")) else { return "" }
        path = path[slash...]
        while path.last == UInt8(ascii: "/") { path = path.dropLast() }
        let last = path.lastIndex(of: UInt8(ascii: "/")).map { path[path.index(after: $0)...] } ?? path
        guard let dot = last.lastIndex(of: UInt8(ascii: ".")), last.index(after: dot) < last.endIndex else { return "" }
        return String(decoding: last[last.index(after: dot)...], as: UTF8.self).lowercased()
    }

    /// The user's `extend` data must leave room for mediaform's marker in `UserData.Extend`, and `UserData` as a
    /// whole must stay within its limit.
    private mutating func checkUserData(_ f: AssetFields, key: String) {
        let budget = APILimits.extendBytes - APILimits.extendMarkerReserve
        if let extend = f.extend {
            if extend.value["mediaform"] != nil {
                error("'extend' must not use the key 'mediaform'; mediaform keeps it for its own marker", at: extend.location)
            }
            let bytes = JSONValue.object(extend.value).canonicalJSON.utf8.count
            if bytes > budget {
                error("'extend' is \(bytes) bytes as JSON; at most \(budget) fit (the API allows \(APILimits.extendBytes) and mediaform keeps \(APILimits.extendMarkerReserve) for its marker)", at: extend.location)
            }
        }
        if let callback = f.callback, callback.value.utf8.count > 256 {
            error("'callback' is \(callback.value.utf8.count) bytes; the API allows at most 256", at: callback.location)
        }
    }
}
