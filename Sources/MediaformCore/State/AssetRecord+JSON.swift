/// How a record is written and read (docs/state.md, "Format").
///
/// Format 2 stores what format 1 did, less what the other values give: a fingerprint is written only when it
/// differs from the one recomputed from the record's source and upload inputs, or from its fields (never, for a
/// record mediaform writes now; an older mediaform's or a hand edit's stays as written), and a state file writes
/// only the upload inputs that differ from its `uploadDefaults`. The reader takes both formats.
extension AssetRecord {
    /// Everything the record holds, fingerprints and upload inputs included: what `show --format json` and
    /// `state show` print, and a record every format reads.
    public var json: JSONValue {
        var o = storedMembers
        o["fingerprints"] = .object(["upload": .string(fingerprints.upload), "mutable": .string(fingerprints.mutable)])
        if let uploadInputs { o["uploadInputs"] = .object(uploadInputs) }
        return .object(o)
    }

    /// The record as format 2 stores it.
    /// - Parameter uploadDefaults: the state file's shared upload inputs: only the members that differ from them are
    ///   written (`null` for one this record lacks), no `uploadInputs` when none differ, `null` when the record has
    ///   none; a PostgreSQL state's rows likewise, with its `upload_defaults`. Nil for a record stored on its own
    ///   (a journal line): all of them, as in format 1.
    public func storedJSON(uploadDefaults: [String: JSONValue]?) -> JSONValue {
        var interning = RecordInterning()
        return storedJSON(uploadDefaults: uploadDefaults, interning: &interning)
    }

    /// `storedJSON(uploadDefaults:)` of one record of many, recomputing fingerprints with `interning`'s help.
    public func storedJSON(uploadDefaults: [String: JSONValue]?, interning: inout RecordInterning) -> JSONValue {
        var o = storedMembers
        let recomputedUpload = uploadInputs.map {
            Fingerprints.upload(source: source, text: interning.shared($0).text, scratch: &interning.scratch)
        }
        var prints: [String: JSONValue] = [:]
        if recomputedUpload != uploadPrint { prints["upload"] = .string(uploadPrint) }
        if let recordedMutablePrint { prints["mutable"] = .string(recordedMutablePrint) }
        if !prints.isEmpty { o["fingerprints"] = .object(prints) }
        switch (uploadInputs, uploadDefaults) {
        case (let inputs?, let defaults?):
            var differing: [String: JSONValue] = [:]
            for (name, value) in inputs where defaults[name] != value { differing[name] = value }
            for name in defaults.keys where inputs[name] == nil { differing[name] = .null }
            if !differing.isEmpty { o["uploadInputs"] = .object(differing) }
        case (nil, .some): o["uploadInputs"] = .null
        case (let inputs?, nil): o["uploadInputs"] = .object(inputs)
        case (nil, nil): break
        }
        return .object(o)
    }

    /// The members written in every form: all but the fingerprints and the upload inputs.
    private var storedMembers: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "source": .string(source), "fields": fields.json, "status": .string(status.rawValue),
            "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ]
        if protect { o["protect"] = .bool(true) }
        if let jobId { o["jobId"] = .string(jobId) }
        if let mediaId { o["mediaId"] = .string(mediaId) }
        if let lastError {
            o["lastError"] = .object(["code": .string(lastError.code), "message": .string(lastError.message)])
        }
        if !drift.isEmpty { o["drift"] = .array(drift.names.map(JSONValue.string)) }
        return o
    }

    init(json: JSONValue, path: String, file: String) throws(StateFormatError) {
        // Records inside journal lines are small: re-encode and read them with the same decoder as the state.
        let text = json.canonicalJSON
        do {
            self = try JSONParser.reading(text) { (r: inout JSONParser) throws(JSONParser.Failure) in
                var interning = RecordInterning()
                return try AssetRecord.read(&r, key: path, interning: &interning)
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
    /// - Parameter uploadDefaults: the upload inputs the record was stored relative to
    ///   (`storedJSON(uploadDefaults:)`): a PostgreSQL state's `upload_defaults`; nil when it holds all of them.
    public static func decode(
        _ bytes: some ContiguousBytesProvider, key: String, file: String, interning: inout RecordInterning,
        uploadDefaults: [String: JSONValue]? = nil
    ) throws(StateFormatError) -> AssetRecord {
        do {
            return try JSONParser.reading(bytes) { (r: inout JSONParser) throws(JSONParser.Failure) in
                try AssetRecord.read(&r, key: key, interning: &interning, uploadDefaults: uploadDefaults)
            }
        } catch {
            throw StateFormatError(file: file, position: "asset '\(key)'", message: error.message)
        }
    }

    /// Reads one record of many, sharing equal values with the records read before through `interning`.
    /// - Parameter uploadDefaults: the shared upload inputs of the format 2 state file the record is in (see
    ///   `storedJSON(uploadDefaults:)`); nil for a record stored on its own or in a format 1 file.
    static func read(
        _ r: inout JSONParser, key: String, interning: inout RecordInterning,
        uploadDefaults: [String: JSONValue]? = nil
    ) throws(JSONParser.Failure) -> AssetRecord {
        let start = r.position
        var source: String?, statusText: String?, createdAt: String?, updatedAt: String?
        var upload: String?, mutable: String?
        var fields: MutableFieldValues?
        var storedInputs: [String: JSONValue]?, inputsNull = false
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
                switch try r.readValue() {
                case .object(let o): storedInputs = o
                case .null: inputsNull = true
                default: throw r.failure("'uploadInputs' of '\(key)' must be an object")
                }
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
        guard let fields else { throw missing("fields") }
        var shared: (inputs: [String: JSONValue], text: Fingerprints.UploadText)?
        if inputsNull {
            shared = nil
        } else if let uploadDefaults {
            // Format 2 file: the defaults, with the members the record writes; `null` removes one.
            if let storedInputs {
                var merged = uploadDefaults
                for (name, value) in storedInputs { merged[name] = value == .null ? nil : value }
                shared = interning.shared(merged)
            } else {
                shared = interning.sharedDefaults(uploadDefaults)
            }
        } else {
            shared = storedInputs.map { interning.shared($0) }
        }
        // Format 2 leaves out a fingerprint its record's values give.
        guard
            let uploadPrint = upload
                ?? shared.map({ Fingerprints.upload(source: source, text: $0.text, scratch: &interning.scratch) })
        else {
            throw missing("fingerprints")
        }
        guard let createdAt else { throw missing("createdAt") }
        guard let updatedAt else { throw missing("updatedAt") }
        // A mutable fingerprint left out is computed when asked (`AssetRecord.fingerprints`).
        return AssetRecord(
            source: source, uploadPrint: uploadPrint, recordedMutablePrint: mutable, fields: fields,
            uploadInputs: shared?.inputs, jobId: jobId, mediaId: mediaId, status: status, protect: protect,
            createdAt: createdAt, updatedAt: updatedAt, lastError: lastError, drift: drift)
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
