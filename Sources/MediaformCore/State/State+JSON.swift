/// A state, journal or plan file whose content is not what mediaform wrote.
public struct StateFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// Where: `line:column` for syntax errors, a JSON path such as `assets["a"].status` otherwise.
    public var position: String
    public var message: String

    public init(file: String, position: String, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String { "\(file):\(position): \(message)" }
}

/// Reads fields of a JSON object, reporting a missing or mistyped field with its path.
struct JSONFields {
    let object: [String: JSONValue]
    let path: String
    let file: String

    init(_ value: JSONValue, path: String, file: String) throws(StateFormatError) {
        guard case .object(let o) = value else {
            throw StateFormatError(file: file, position: path.isEmpty ? "1:1" : path, message: "expected an object")
        }
        self.object = o
        self.path = path
        self.file = file
    }

    func fail(_ key: String, _ message: String) -> StateFormatError {
        StateFormatError(file: file, position: path.isEmpty ? key : "\(path).\(key)", message: message)
    }

    func string(_ key: String) throws(StateFormatError) -> String {
        guard let v = object[key] else { throw fail(key, "missing") }
        guard case .string(let s) = v else { throw fail(key, "expected a string") }
        return s
    }

    func optionalString(_ key: String) throws(StateFormatError) -> String? {
        guard let v = object[key], v != .null else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string") }
        return s
    }

    func int(_ key: String) throws(StateFormatError) -> Int64 {
        guard let v = object[key] else { throw fail(key, "missing") }
        guard case .int(let i) = v else { throw fail(key, "expected an integer") }
        return i
    }

    func bool(_ key: String, default value: Bool) throws(StateFormatError) -> Bool {
        guard let v = object[key], v != .null else { return value }
        guard case .bool(let b) = v else { throw fail(key, "expected true or false") }
        return b
    }

    func strings(_ key: String) throws(StateFormatError) -> [String] {
        guard let v = object[key], v != .null else { return [] }
        guard case .array(let items) = v else { throw fail(key, "expected a list of strings") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { throw fail(key, "expected a list of strings") }
            out.append(s)
        }
        return out
    }

    func nested(_ key: String) throws(StateFormatError) -> JSONFields {
        guard let v = object[key] else { throw fail(key, "missing") }
        return try JSONFields(v, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

}

extension State {
    /// The state as the JSON value written to disk.
    public var json: JSONValue {
        var records: [String: JSONValue] = [:]
        records.reserveCapacity(assets.count)
        for (key, record) in assets { records[key] = record.json }
        var o: [String: JSONValue] = [
            "version": .int(Int64(State.formatVersion)), "lineage": .string(lineage), "serial": .int(Int64(serial)),
            "generator": .string(generator), "journalSequence": .int(Int64(journalSequence)),
            "assets": .object(records),
        ]
        // Absent when the project manages no category, so that such states read as before.
        if !categories.isEmpty { o["categories"] = CategoryRecord.json(categories) }
        if let manifestCache, !manifestCache.files.isEmpty { o["manifestCache"] = manifestCache.json }
        return .object(o)
    }

    /// The members written before the others, in this order: the header, then the manifest cache, so that
    /// `peekManifestCache` finds it without reading the records, which come last.
    static let leadingKeys = [
        "version", "lineage", "serial", "generator", "journalSequence", "categories", "manifestCache",
    ]

    /// The file's text: the header first, then sorted keys; two-space indent, trailing newline, so that a change
    /// reads as a clean diff.
    public var fileText: String { json.prettyJSON(leading: State.leadingKeys) }

    /// `fileText` with each record (and each manifest cache entry) on one line: 22 % smaller, for compressed state
    /// files, where a diff is not read anyway. Records still start a line indented by four spaces.
    public var compactFileText: String { json.prettyJSON(leading: State.leadingKeys, compactFrom: 2) }

    /// The manifest cache of a state file, read from its beginning only: nil as soon as the records start
    /// (`assets`) before it, or when the file is not a state this version reads. Never an error: the full read
    /// reports those.
    public static func peekManifestCache(_ bytes: some ContiguousBytesProvider) -> ManifestCache? {
        var found: ManifestCache?
        _ = try? JSONParser.readingPrefix(bytes) { (reader: inout JSONParser) throws(JSONParser.Failure) in
            try reader.readObject(until: { $0 == "assets" }) {
                (key: String, r: inout JSONParser) throws(JSONParser.Failure) in
                switch key {
                case "manifestCache": found = ManifestCache(json: try r.readValue())
                case "version":
                    guard try r.readInt() <= Int64(formatVersion) else { throw r.failure("newer") }
                default: _ = try r.readValue()
                }
            }
        }
        return found
    }

    /// Reads a state file's bytes.
    ///
    /// A pull decoder walks the file once without building intermediate dictionaries (a state of 100,000 assets
    /// is tens of megabytes). Unknown keys are ignored, so a later mediaform may add fields without a new version.
    /// - Throws: `StateFormatError` located by line and column; a version newer than this build is an error naming
    ///   both versions.
    /// - Parameter consumed: told of byte ranges the decoder is done with (`StateRecordsReader.Consumed`).
    public static func decode(
        _ bytes: some ContiguousBytesProvider, file: String, consumed: StateRecordsReader.Consumed? = nil
    ) throws(StateFormatError) -> State {
        do {
            return try JSONParser.reading(bytes) { (reader: inout JSONParser) throws(JSONParser.Failure) -> State in
                var state = State(lineage: "", generator: "")
                var version: Int64?
                var sawLineage = false, sawSerial = false, sawAssets = false
                try reader.readObject { (key: String, r: inout JSONParser) throws(JSONParser.Failure) in
                    switch key {
                    case "version":
                        let v = try r.readInt()
                        guard v <= Int64(formatVersion) else {
                            throw r.failure(
                                "state format version \(v) is newer than this mediaform reads (\(formatVersion)); upgrade mediaform"
                            )
                        }
                        guard v >= 1 else { throw r.failure("unknown state format version \(v)") }
                        version = v
                    case "lineage":
                        state.lineage = try r.readString()
                        sawLineage = true
                    case "serial":
                        state.serial = Int(try r.readInt())
                        sawSerial = true
                    case "generator": state.generator = try r.readString()
                    case "journalSequence": state.journalSequence = Int(try r.readInt())
                    case "assets":
                        sawAssets = true
                        // Growing a dictionary of 100,000 records rehashes it many times: size it once, by the
                        // cache's keys (written before the records) or by the file's size (records are larger).
                        let expected =
                            state.manifestCache?.files.values.reduce(0) { $0 + $1.keys.count }
                            ?? (r.bytes.count / 1024)
                        state.assets = try StateRecordsReader.read(&r, expected: expected, consumed: consumed)
                    case "manifestCache":
                        state.manifestCache = ManifestCache(json: try r.readValue())
                    case "categories":
                        let value = try r.readValue()
                        do throws(StateFormatError) {
                            state.categories = try CategoryRecord.decode(value, path: "categories", file: file)
                        } catch {
                            throw r.failure("\(error.position): \(error.message)")
                        }
                    default:
                        _ = try r.readValue()
                    }
                }
                guard version != nil else { throw reader.failure("not a mediaform state: no 'version'", at: 0) }
                guard sawLineage, !state.lineage.isEmpty else {
                    throw reader.failure("the state has no 'lineage'", at: 0)
                }
                guard sawSerial else { throw reader.failure("the state has no 'serial'", at: 0) }
                guard sawAssets else { throw reader.failure("the state has no 'assets'", at: 0) }
                return state
            }
        } catch {
            throw StateFormatError(file: file, position: "\(error.line):\(error.column)", message: error.message)
        }
    }
}

extension AssetRecord {
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "source": .string(source),
            "fingerprints": .object(["upload": .string(fingerprints.upload), "mutable": .string(fingerprints.mutable)]),
            "fields": fields.json, "status": .string(status.rawValue), "createdAt": .string(createdAt),
            "updatedAt": .string(updatedAt),
        ]
        if protect { o["protect"] = .bool(true) }
        if let uploadInputs { o["uploadInputs"] = .object(uploadInputs) }
        if let jobId { o["jobId"] = .string(jobId) }
        if let mediaId { o["mediaId"] = .string(mediaId) }
        if let lastError {
            o["lastError"] = .object(["code": .string(lastError.code), "message": .string(lastError.message)])
        }
        if !drift.isEmpty { o["drift"] = .array(drift.names.map(JSONValue.string)) }
        return .object(o)
    }

    init(json: JSONValue, path: String, file: String) throws(StateFormatError) {
        // Records inside journal lines are small: re-encode and read them with the same decoder as the state.
        let text = json.canonicalJSON
        do {
            self = try JSONParser.reading(text) { (r: inout JSONParser) throws(JSONParser.Failure) in
                try AssetRecord.read(&r, key: path)
            }
        } catch {
            throw StateFormatError(file: file, position: path, message: error.message)
        }
    }

    /// Decodes one record stored on its own (a database row); `key` and `file` name it in messages.
    public static func decode(_ bytes: some ContiguousBytesProvider, key: String, file: String) throws(StateFormatError)
        -> AssetRecord
    {
        var interning = RecordInterning()
        return try decode(bytes, key: key, file: file, interning: &interning)
    }

    /// Decodes one record of many stored on their own, sharing equal values with those decoded before it.
    public static func decode(
        _ bytes: some ContiguousBytesProvider, key: String, file: String, interning: inout RecordInterning
    ) throws(StateFormatError) -> AssetRecord {
        do {
            return try JSONParser.reading(bytes) { (r: inout JSONParser) throws(JSONParser.Failure) in
                try AssetRecord.read(&r, key: key, interning: &interning)
            }
        } catch {
            throw StateFormatError(file: file, position: "asset '\(key)'", message: error.message)
        }
    }

    /// Reads one record; `key` names it in messages.
    static func read(_ r: inout JSONParser, key: String) throws(JSONParser.Failure) -> AssetRecord {
        var interning = RecordInterning()
        return try read(&r, key: key, interning: &interning)
    }

    /// Reads one record of many, sharing equal values with the records read before through `interning`.
    static func read(_ r: inout JSONParser, key: String, interning: inout RecordInterning) throws(JSONParser.Failure)
        -> AssetRecord
    {
        let start = r.position
        var source: String?, statusText: String?, createdAt: String?, updatedAt: String?
        var upload: String?, mutable: String?
        var fields: MutableFieldValues?
        var uploadInputs: [String: JSONValue]?
        var jobId: String?, mediaId: String?, protect = false
        var lastError: RecordedError?
        var drift: ManagedFields = []
        try r.readObject { (name: String, r: inout JSONParser) throws(JSONParser.Failure) in
            switch name {
            case "source": source = try r.readString()
            case "status": statusText = try r.readString()
            case "createdAt": createdAt = interning.shared(try r.readString())
            case "updatedAt": updatedAt = interning.shared(try r.readString())
            case "jobId": jobId = try r.readNull() ? nil : try r.readString()
            case "mediaId": mediaId = try r.readNull() ? nil : try r.readString()
            case "protect": protect = try r.readBool()
            case "fingerprints":
                try r.readObject { (k: String, r: inout JSONParser) throws(JSONParser.Failure) in
                    switch k {
                    case "upload": upload = try r.readString()
                    case "mutable": mutable = try r.readString()
                    default: _ = try r.readValue()
                    }
                }
            case "fields": fields = try MutableFieldValues.read(&r)
            case "uploadInputs":
                guard case .object(let o) = try r.readValue() else {
                    throw r.failure("'uploadInputs' of '\(key)' must be an object")
                }
                uploadInputs = interning.shared(o)
            case "lastError":
                if try r.readNull() { break }
                var code = "", message = ""
                try r.readObject { (k: String, r: inout JSONParser) throws(JSONParser.Failure) in
                    switch k {
                    case "code": code = try r.readString()
                    case "message": message = try r.readString()
                    default: _ = try r.readValue()
                    }
                }
                lastError = RecordedError(code: code, message: message)
            case "drift":
                // Names this version does not know are dropped: a newer mediaform may watch more fields.
                try r.readArray { (r: inout JSONParser) throws(JSONParser.Failure) in
                    if let field = ManagedFields(name: try r.readString()) { drift.insert(field) }
                }
            default:
                _ = try r.readValue()
            }
        }
        func missing(_ field: String) -> JSONParser.Failure { r.failure("asset '\(key)' has no '\(field)'", at: start) }
        guard let source else { throw missing("source") }
        guard let statusText else { throw missing("status") }
        guard let status = AssetStatus(rawValue: statusText) else {
            throw r.failure(
                "asset '\(key)' has an unknown status '\(statusText)' (expected \(AssetStatus.allCases.map(\.rawValue).joined(separator: ", ")))",
                at: start)
        }
        guard let upload, let mutable else { throw missing("fingerprints") }
        guard let fields else { throw missing("fields") }
        guard let createdAt else { throw missing("createdAt") }
        guard let updatedAt else { throw missing("updatedAt") }
        var record = AssetRecord(
            source: source, fingerprints: Fingerprints(upload: upload, mutable: mutable), fields: fields,
            uploadInputs: uploadInputs, jobId: jobId, mediaId: mediaId, status: status, protect: protect,
            createdAt: createdAt, updatedAt: updatedAt, lastError: lastError)
        record.drift = drift
        return record
    }
}

extension MutableFieldValues {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["title": .string(title)]
        if let description { o["description"] = .string(description) }
        if !tags.isEmpty { o["tags"] = .array(tags.map(JSONValue.string)) }
        if let category { o["category"] = .int(category) }
        if let cover { o["cover"] = .string(cover) }
        return .object(o)
    }

    static func read(_ r: inout JSONParser) throws(JSONParser.Failure) -> MutableFieldValues {
        let start = r.position
        var title: String?, description: String?, tags: [String] = [], category: Int64?, cover: String?
        try r.readObject { (name: String, r: inout JSONParser) throws(JSONParser.Failure) in
            switch name {
            case "title": title = try r.readString()
            case "description": description = try r.readNull() ? nil : try r.readString()
            case "tags":
                try r.readArray { (r: inout JSONParser) throws(JSONParser.Failure) in tags.append(try r.readString()) }
            case "category": category = try r.readNull() ? nil : try r.readInt()
            case "cover": cover = try r.readNull() ? nil : try r.readString()
            default: _ = try r.readValue()
            }
        }
        guard let title else { throw r.failure("'fields' has no 'title'", at: start) }
        return MutableFieldValues(title: title, description: description, tags: tags, category: category, cover: cover)
    }
}
