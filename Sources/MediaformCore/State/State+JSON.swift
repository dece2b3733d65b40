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
    /// The state with every record written out in full (`AssetRecord.json`): what `show --format json` prints. A
    /// file every format reader takes, but not the one mediaform writes (`fileText`).
    public var json: JSONValue {
        var records: [String: JSONValue] = [:]
        records.reserveCapacity(assets.count)
        for (key, record) in assets { records[key] = record.json }
        var o = header
        o["assets"] = .object(records)
        return .object(o)
    }

    /// The members before `assets`.
    private var header: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "version": .int(Int64(State.formatVersion)), "lineage": .string(lineage), "serial": .int(Int64(serial)),
            "generator": .string(generator), "journalSequence": .int(Int64(journalSequence)),
        ]
        // Absent when the project manages no category, so that such states read as before.
        if !categories.isEmpty { o["categories"] = CategoryRecord.json(categories) }
        if let manifestCache, !manifestCache.files.isEmpty { o["manifestCache"] = manifestCache.json }
        return o
    }

    /// The members written before the others, in this order: the header, then the manifest cache, so that
    /// `peekManifestCache` finds it without reading the records, and the upload defaults, which the records need.
    static let leadingKeys = [
        "version", "lineage", "serial", "generator", "journalSequence", "categories", "manifestCache",
        "uploadDefaults",
    ]

    /// The file's text, format 2: the header first, then every record on a line of its own (its key indented by
    /// four spaces, which `StateRecordsReader` splits on), stored as `AssetRecord.storedJSON(uploadDefaults:)` with
    /// the state's `uploadDefaults`; sorted keys, two-space indent, trailing newline. A changed record is one changed
    /// line of a diff.
    public var fileText: String {
        let defaults = uploadDefaults
        var o = header
        o["uploadDefaults"] = .object(defaults)
        // Each manifest cache entry and category on a line of its own.
        var text = JSONValue.object(o).prettyJSON(leading: State.leadingKeys, compactFrom: 3)
        text.removeLast(3)  // "\n}\n"
        var records: [String: JSONValue] = [:]
        records.reserveCapacity(assets.count)
        var interning = RecordInterning()
        for (key, record) in assets {
            records[key] = record.storedJSON(uploadDefaults: defaults, interning: &interning)
        }
        text += ",\n  \"assets\": "
        text += JSONValue.object(records).prettyJSON(leading: [], compactFrom: 2, indent: 1)
        text += "}\n"
        return text
    }

    /// The upload inputs a format 2 file writes once: each member whose value more than half of the records with
    /// inputs share (a project's app and default workflow, typically). A majority, so that it changes only when
    /// most records change anyway. Found by a majority vote per member, without hashing values. The PostgreSQL
    /// backend keeps the same beside its rows (`upload_defaults`).
    public var uploadDefaults: [String: JSONValue] {
        var candidates: [String: (value: JSONValue, votes: Int)] = [:]
        var withInputs = 0
        for record in assets.values {
            guard let inputs = record.uploadInputs else { continue }
            withInputs += 1
            for (name, value) in inputs {
                if let c = candidates[name], c.votes > 0 {
                    candidates[name]?.votes += c.value == value ? 1 : -1
                } else {
                    candidates[name] = (value, 1)
                }
            }
        }
        var counts: [String: Int] = [:]
        for record in assets.values {
            guard let inputs = record.uploadInputs else { continue }
            for (name, candidate) in candidates where inputs[name] == candidate.value { counts[name, default: 0] += 1 }
        }
        var defaults: [String: JSONValue] = [:]
        for (name, candidate) in candidates where counts[name, default: 0] * 2 > withInputs {
            defaults[name] = candidate.value
        }
        return defaults
    }

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
                var uploadDefaults: [String: JSONValue]?
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
                        // Format 2 records leave out the upload inputs their file's defaults give (written before).
                        let defaults = (version ?? 1) >= 2 ? uploadDefaults ?? [:] : nil
                        state.assets = try StateRecordsReader.read(
                            &r, expected: expected, consumed: consumed, uploadDefaults: defaults)
                    case "uploadDefaults":
                        guard !sawAssets else { throw r.failure("'uploadDefaults' must come before 'assets'") }
                        guard case .object(let o) = try r.readValue() else {
                            throw r.failure("'uploadDefaults' must be an object")
                        }
                        uploadDefaults = o
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
