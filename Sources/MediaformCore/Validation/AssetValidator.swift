import Foundation

/// Checks merged asset fields against the API's rules and builds the effective `Asset`.
struct AssetValidator {
    /// The asset file being checked.
    let file: String
    /// The project file, where `defaults` come from.
    let defaultsFile: String
    var diagnostics: [Diagnostic] = []
    private static let mediaExtensions = APILimits.mediaExtensions

    /// The project's category paths (`categories:`), or nil to accept any path (fuzzing, single-file checks).
    let categories: Set<String>?

    init(file: String, defaultsFile: String, categories: [String]? = nil) {
        self.file = file
        self.defaultsFile = defaultsFile
        self.categories = categories.map(Set.init)
    }

    private mutating func error(_ message: String, at place: SourcePlace) {
        diagnostics.append(.error(message, at: place.location(file: file, defaultsFile: defaultsFile)))
    }

    /// The effective asset, or nil when a required field is missing (other problems are reported and the asset is
    /// still returned so that cross-file checks can run on it).
    mutating func validate(_ f: AssetFields) -> Asset? {
        guard let source = f.source else {
            if !f.invalidRequired.contains(.source) {
                error("asset is missing 'source' (the URL of the media file to upload)", at: f.place)
            }
            return nil
        }
        checkSource(source, fileExtension: f.fileExtension)
        let key = f.key?.value ?? Self.defaultKey(for: source.value)
        if let k = f.key { checkKey(k) }

        guard let title = f.title else {
            if !f.invalidRequired.contains(.title) { error("asset '\(key)' is missing 'title'", at: f.place) }
            return nil
        }
        let titleScan = checkText(title, field: "title", limit: APILimits.titleBytes, allowNewlines: false)
        // A visible ASCII character settles it without Foundation; only otherwise ask for Unicode whitespace.
        if !titleScan.hasVisibleASCII && title.value.trimmingCharacters(in: .whitespaces).isEmpty {
            error("'title' must not be empty", at: title.place)
        }
        if let d = f.description {
            checkText(d, field: "description", limit: APILimits.descriptionBytes, allowNewlines: true)
        }
        let tags = f.tags ?? []
        if tags.count > APILimits.tagCount {
            error(
                "asset '\(key)' has \(tags.count) tags (with defaults); the API allows at most \(APILimits.tagCount)",
                at: f.tagsPlace ?? f.place)
        }
        for tag in tags {
            let scan = checkText(tag, field: "tag", limit: APILimits.tagBytes, allowNewlines: false)
            if scan.byteCount == 0 {
                error("tags must not be empty", at: tag.place)
            } else if scan.hasComma {
                error("tag '\(tag.value)' contains a comma; the API separates tags with commas", at: tag.place)
            }
        }
        if let cover = f.cover {
            checkHTTPURL(cover, field: "cover")
            let bytes = cover.value.utf8.count
            if bytes > APILimits.coverBytes {
                error("'cover' is \(bytes) bytes; the API allows at most \(APILimits.coverBytes)", at: cover.place)
            }
        }
        if let callback = f.callback { checkHTTPURL(callback, field: "callback") }
        if let ext = f.fileExtension, !Self.mediaExtensions.contains(ext.value.lowercased()) {
            error(
                "'fileExtension' '\(ext.value)' is not an audio or video format IMS accepts (for example mp4, mov, mp3)",
                at: ext.place)
        }
        checkUserData(f, key: key)
        var categoryID: Int64?, categoryPath: String?
        switch f.category?.value {
        case .id(let id)?: categoryID = id
        case .path(let path)?:
            categoryPath = path
            if let categories, !categories.contains(path), let place = f.category?.place {
                var message =
                    path.allSatisfy(\.isNumber)
                    ? "category '\(path)' is a quoted number and no category of that name is declared: write it "
                        + "without quotes for a CateId, or declare '\(path)' in the project file's 'categories:'"
                    : categories.isEmpty
                        ? "category '\(path)' is not declared: the project file has no 'categories:' list (add it there, or give the numeric CateId)"
                        : "category '\(path)' is not declared in the project file's 'categories:'"
                if let s = Spelling.suggestion(for: path, among: categories.sorted()) {
                    message += "; did you mean '\(s)'?"
                }
                error(message, at: place)
            }
        case nil: break
        }

        var asset = Asset(
            key: key, source: source.value, title: title.value, description: f.description?.value,
            tags: tags.map(\.value), category: categoryID, cover: f.cover?.value, workflow: f.workflow?.value,
            fileExtension: f.fileExtension?.value.lowercased(), fileSize: f.fileSize?.value,
            metadata: f.metadata?.value,
            entity: f.entity?.value, protect: f.protect?.value ?? false,
            ignoreChanges: f.ignoreChanges?.value ?? [], callback: f.callback?.value,
            extend: f.extend?.value, storageLocation: f.storageLocation?.value,
            postProcessWorkflow: f.postProcessWorkflow?.value,
            location: f.place.location(file: file, defaultsFile: defaultsFile),
            sourceLocation: source.place.location(file: file, defaultsFile: defaultsFile))
        asset.categoryPath = categoryPath
        return asset
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
        let scan = TextScan(key.value)
        if scan.byteCount > APILimits.keyBytes {
            error("'key' is \(scan.byteCount) bytes; keys may have at most \(APILimits.keyBytes)", at: key.place)
        }
        if scan.hasASCIIControl
            || (!scan.isASCII
                && key.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }))
        {
            error("'key' must not contain control characters", at: key.place)
        }
        if scan.first == 0x20 || scan.last == 0x20
            || (!scan.isASCII && key.value != key.value.trimmingCharacters(in: .whitespaces))
        {
            error("'key' must not start or end with a space", at: key.place)
        }
    }

    @discardableResult
    private mutating func checkText(_ text: Located<String>, field: String, limit: Int, allowNewlines: Bool) -> TextScan
    {
        let scan = TextScan(text.value)
        if scan.byteCount > limit {
            error("'\(field)' is \(scan.byteCount) bytes in UTF-8; the API allows at most \(limit)", at: text.place)
        }
        // Fast path: pure ASCII has no emoji and only ASCII line breaks.
        if !scan.isASCII, let emoji = text.value.unicodeScalars.first(where: Self.isEmoji) {
            error(
                "'\(field)' contains the emoji '\(emoji)' (U+\(String(emoji.value, radix: 16, uppercase: true))); the API does not accept emoji",
                at: text.place)
        }
        // A newline `Character` starts with one of these scalars, and those scalars always stand as characters of their
        // own: scanning scalars finds what `contains(where: \.isNewline)` finds, without breaking graphemes.
        if !allowNewlines,
            scan.hasLineBreak
                || (!scan.isASCII
                    && text.value.unicodeScalars.contains {
                        (0x0A...0x0D).contains($0.value) || $0.value == 0x85 || $0.value == 0x2028 || $0.value == 0x2029
                    })
        {
            error("'\(field)' must be one line", at: text.place)
        }
        return scan
    }

    /// Emoji as the API means it: pictographs shown as emoji by default, the pictograph blocks, and the
    /// emoji-presentation selector. Text symbols such as © and ™ are allowed.
    static func isEmoji(_ scalar: Unicode.Scalar) -> Bool {
        (0x1F000...0x1FAFF).contains(scalar.value)
            || scalar.value == 0xFE0F
            || scalar.value > 0x2000 && scalar.properties.isEmojiPresentation
    }

    private mutating func checkSource(_ source: Located<String>, fileExtension: Located<String>?) {
        if source.value.hasPrefix("oss://") {
            guard checkOSSURL(source) else { return }
        } else {
            guard checkHTTPURL(source, field: "source") else { return }
        }
        if fileExtension == nil {
            let ext = Self.pathExtension(of: source.value)
            if ext.isEmpty {
                error(
                    "'source' has no file extension in its path; add 'fileExtension' (for example mp4)",
                    at: source.place)
            } else if !Self.mediaExtensions.contains(ext) {
                error(
                    "'source' ends in '.\(ext)', which is not an audio or video format IMS accepts; set 'fileExtension' if the URL serves media anyway",
                    at: source.place)
            }
        }
    }

    /// Checks an `oss://bucket/object` source (registered in place): OSS bucket naming (3 to 63 characters,
    /// lower-case letters, digits and hyphens, starting and ending with a letter or digit) and a non-empty object
    /// key without whitespace or control characters. Returns false when it is not one.
    private mutating func checkOSSURL(_ url: Located<String>) -> Bool {
        let rest = url.value.dropFirst("oss://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            error("'source' must be oss://bucket/object: the object key is missing", at: url.place)
            return false
        }
        let bucket = rest[..<slash], object = rest[rest.index(after: slash)...]
        let allowed = bucket.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        if !(3...63).contains(bucket.count) || !allowed || bucket.hasPrefix("-") || bucket.hasSuffix("-") {
            error(
                "'\(bucket)' is not an OSS bucket name (3 to 63 lower-case letters, digits and hyphens, starting and "
                    + "ending with a letter or digit)", at: url.place)
            return false
        }
        if object.isEmpty || object.hasSuffix("/") {
            error("'source' must name an object: oss://\(bucket)/path/to/file.mp4", at: url.place)
            return false
        }
        if object.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            error(
                "the object key in 'source' contains a space or a control character; OSS keys here may not",
                at: url.place)
            return false
        }
        return true
    }

    /// Checks an absolute http(s) URL with a host and no whitespace. Returns false when it is not one.
    @discardableResult
    private mutating func checkHTTPURL(_ url: Located<String>, field: String) -> Bool {
        let s = url.value
        guard let schemeLength = Self.httpSchemeLength(s) else {
            error("'\(field)' must be an absolute http(s) URL, found '\(URLRedaction.redact(s))'", at: url.place)
            return false
        }
        let host = s.utf8.dropFirst(schemeLength).prefix {
            $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        }
        if host.isEmpty || host.first == UInt8(ascii: "@") || host.last == UInt8(ascii: "@") {
            error("'\(field)' has no host", at: url.place)
            return false
        }
        let scan = TextScan(s)
        let clean = scan.isASCII && !scan.hasASCIIControl && !scan.hasSpace  // fast path: printable ASCII
        if !clean,
            let bad = s.unicodeScalars.first(where: {
                $0 == " " || $0.properties.generalCategory == .control || $0.properties.isWhitespace
            })
        {
            let what =
                bad == " "
                ? "a space; encode it as %20"
                : "whitespace or a control character (U+\(String(bad.value, radix: 16, uppercase: true)))"
            error("'\(field)' contains \(what)", at: url.place)
            return false
        }
        if scan.byteCount > APILimits.urlBytes {
            error("'\(field)' is \(scan.byteCount) bytes; URLs may have at most \(APILimits.urlBytes)", at: url.place)
            return false
        }
        return true
    }

    /// The length of a leading `http://` or `https://` (any case), or nil.
    static func httpSchemeLength(_ s: String) -> Int? {
        var copy = s
        return copy.withUTF8 { u -> Int? in
            // Compare case-insensitively; `| 0x20` lower-cases ASCII letters and leaves ':' and '/' alone.
            func at(_ i: Int, _ c: UInt8) -> Bool { i < u.count && (u[i] | 0x20) == c }
            guard at(0, 0x68), at(1, 0x74), at(2, 0x74), at(3, 0x70) else { return nil }  // "http"
            let colon = at(4, 0x73) ? 5 : 4
            guard colon < u.count, u[colon] == UInt8(ascii: ":"), colon + 2 < u.count,
                u[colon + 1] == UInt8(ascii: "/"), u[colon + 2] == UInt8(ascii: "/")
            else { return nil }
            return colon + 3
        }
    }

    /// The lower-cased extension of the URL's last path segment, or "" when it has none.
    static func pathExtension(of url: String) -> String {
        let schemeLength = httpSchemeLength(url) ?? 0
        var copy = url
        return copy.withUTF8 { all -> String in
            var end = all.count
            var i = schemeLength
            var slash = -1
            while i < end {
                let b = all[i]
                if b == UInt8(ascii: "?") || b == UInt8(ascii: "#") {
                    end = i
                    break
                }
                if b == UInt8(ascii: "/") && slash < 0 { slash = i }
                i += 1
            }
            guard slash >= 0 else { return "" }  // no path
            while end > slash + 1 && all[end - 1] == UInt8(ascii: "/") { end -= 1 }
            var segmentStart = end
            while segmentStart > slash + 1 && all[segmentStart - 1] != UInt8(ascii: "/") { segmentStart -= 1 }
            var dot = end - 1
            while dot >= segmentStart && all[dot] != UInt8(ascii: ".") { dot -= 1 }
            guard dot >= segmentStart, dot + 1 < end else { return "" }
            // ASCII lower-casing; a non-ASCII extension is not a media extension anyway.
            let ext = all[(dot + 1)..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            return String(decoding: ext, as: UTF8.self)
        }
    }

    /// The user's `extend` data must leave room for mediaform's marker in `UserData.Extend`, and `UserData` as a
    /// whole must stay within its limit.
    private mutating func checkUserData(_ f: AssetFields, key: String) {
        let budget = APILimits.extendBytes - APILimits.extendMarkerReserve
        if let extend = f.extend {
            if extend.value["mediaform"] != nil {
                error(
                    "'extend' must not use the key 'mediaform'; mediaform keeps it for its own marker", at: extend.place
                )
            }
            let bytes = JSONValue.object(extend.value).canonicalJSON.utf8.count
            if bytes > budget {
                error(
                    "'extend' is \(bytes) bytes as JSON; at most \(budget) fit (the API allows \(APILimits.extendBytes) and mediaform keeps \(APILimits.extendMarkerReserve) for its marker)",
                    at: extend.place)
            }
        }
        if let callback = f.callback, callback.value.utf8.count > 256 {
            error("'callback' is \(callback.value.utf8.count) bytes; the API allows at most 256", at: callback.place)
        }
    }
}
