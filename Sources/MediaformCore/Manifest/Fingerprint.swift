/// SHA-256 fingerprints of an effective asset, split the way the API splits what can change (docs/design.md §3).
///
/// - `upload`: inputs fixed at upload time (source, extension, size, workflow, dynamic metadata, entity, app,
///   storage, post-processing). A change means a new upload ("replace").
/// - `mutable`: what `UpdateMediaInfo` can change in place (title, description, tags, category, cover).
///
/// Each is the SHA-256 of canonical JSON (sorted keys, absent fields omitted), so key order and YAML formatting
/// never matter. Tags are compared as a set (whether IMS keeps tag order is UNCONFIRMED). The source is hashed
/// without a signed query string: re-signing a URL is not a new source. `callback` and `extend` are left out:
/// they only shape the notification of an upload, and changing them must not re-upload anything.
public struct Fingerprints: Sendable, Hashable, Codable {
    public var upload: String
    public var mutable: String

    public init(upload: String, mutable: String) {
        self.upload = upload
        self.mutable = mutable
    }

    /// The upload fingerprint of inputs as a record stores them (`Asset.uploadInputs(appId:)` without the source)
    /// and its redacted source: the same as `Asset.fingerprints(appId:).upload` of the asset they come from (a
    /// test holds them equal), so that state format 2 need not store it.
    public static func upload(source: String, inputs: [String: JSONValue]) -> String {
        var scratch = TextBuffer(capacity: 256)
        return upload(source: source, text: UploadText(inputs), scratch: &scratch)
    }

    /// `upload(source:inputs:)` with the inputs' text made once for the many records that share them, written in
    /// a buffer reused from record to record (a state read recomputes 100,000 of them).
    static func upload(source: String, text: UploadText, scratch: inout TextBuffer) -> String {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.bytes.append(contentsOf: text.head)
        JSONValue.writeString(source, into: &scratch)
        scratch.bytes.append(contentsOf: text.tail)
        return scratch.bytes.withUnsafeBytes { Digest.sha256Hex(bytes: $0) }
    }

    /// The canonical JSON of upload inputs with the source added, cut where the source's value goes.
    struct UploadText: Sendable {
        /// Up to `"source":`.
        var head: [UInt8]
        /// After the source's value, to the closing brace.
        var tail: [UInt8]

        init(_ inputs: [String: JSONValue]) {
            var head = TextBuffer(), tail = TextBuffer()
            head.append("{")
            for name in inputs.keys.sorted(by: JSONValue.keyOrder) where name != "source" {
                guard let value = inputs[name] else { continue }
                if JSONValue.keyOrder(name, "source") {
                    if head.bytes.count > 1 { head.append(",") }
                    JSONValue.writeString(name, into: &head)
                    head.append(":")
                    value.write(into: &head)
                } else {
                    tail.append(",")
                    JSONValue.writeString(name, into: &tail)
                    tail.append(":")
                    value.write(into: &tail)
                }
            }
            head.append(head.bytes.count > 1 ? ",\"source\":" : "\"source\":")
            tail.append("}")
            self.head = head.bytes
            self.tail = tail.bytes
        }
    }
}

extension Asset {
    /// The upload-time inputs as canonical JSON.
    public func uploadInputs(appId: String) -> JSONValue {
        var o: [String: JSONValue] = ["appId": .string(appId), "source": .string(redactedSource)]
        if let v = fileExtension { o["fileExtension"] = .string(v) }
        if let v = fileSize { o["fileSize"] = .int(v) }
        if let v = workflow { o["workflow"] = .string(v) }
        if let v = metadata { o["metadata"] = .object(v) }
        if let v = entity { o["entity"] = .string(v) }
        if let v = storageLocation { o["storage"] = .string(v) }
        if let v = postProcessWorkflow { o["postProcess"] = .string(v) }
        return .object(o)
    }

    /// The fields `UpdateMediaInfo` manages, as canonical JSON.
    public var mutableFields: JSONValue {
        var o: [String: JSONValue] = ["title": .string(title)]
        if let v = description { o["description"] = .string(v) }
        if !tags.isEmpty { o["tags"] = .array(tags.sorted().map(JSONValue.string)) }
        if let v = category {
            o["category"] = .int(v)
        } else if let path = categoryPath {
            o["category"] = .string("path:" + path)
        }
        if let v = cover { o["cover"] = .string(URLRedaction.redact(v)) }
        return .object(o)
    }

    /// Both fingerprints; `appId` is the project's application.
    ///
    /// Writes the same canonical JSON as `uploadInputs(appId:)` and `mutableFields` (a test holds them equal),
    /// but straight into one byte buffer, keys in sorted order: this runs for every asset of every plan.
    public func fingerprints(appId: String) -> Fingerprints {
        var u = TextBuffer(capacity: 256)
        u.append("{\"appId\":")
        JSONValue.writeString(appId, into: &u)
        if let v = entity { u.append(",\"entity\":"); JSONValue.writeString(v, into: &u) }
        if let v = fileExtension { u.append(",\"fileExtension\":"); JSONValue.writeString(v, into: &u) }
        if let v = fileSize { u.append(",\"fileSize\":\(v)") }
        if let v = metadata { u.append(",\"metadata\":"); JSONValue.object(v).write(into: &u) }
        if let v = postProcessWorkflow { u.append(",\"postProcess\":"); JSONValue.writeString(v, into: &u) }
        u.append(",\"source\":")
        JSONValue.writeString(redactedSource, into: &u)
        if let v = storageLocation { u.append(",\"storage\":"); JSONValue.writeString(v, into: &u) }
        if let v = workflow { u.append(",\"workflow\":"); JSONValue.writeString(v, into: &u) }
        u.append("}")
        let upload = u.bytes.withUnsafeBytes { Digest.sha256Hex(bytes: $0) }

        // The same buffer serves the mutable fields' text.
        let mutable = MutableFieldValues.fingerprint(
            title: title, description: description, tags: tags, category: category,
            redactedCover: cover.map(URLRedaction.redact), unresolvedCategory: category == nil ? categoryPath : nil,
            scratch: &u)
        return Fingerprints(upload: upload, mutable: mutable)
    }
}

extension MutableFieldValues {
    /// The mutable fingerprint of these values: the same as `Asset.fingerprints(appId:).mutable` of an asset with
    /// them, so that values read from the library can be recorded with a fingerprint the planner compares.
    public var fingerprint: String {
        var scratch = TextBuffer(capacity: 256)
        return fingerprint(scratch: &scratch)
    }

    /// `fingerprint`, written in a buffer reused from record to record.
    func fingerprint(scratch: inout TextBuffer) -> String {
        Self.fingerprint(
            title: title, description: description, tags: tags, category: category, redactedCover: cover,
            scratch: &scratch)
    }

    /// The SHA-256 of the canonical JSON of the managed fields (sorted keys, absent fields omitted, tags as a
    /// sorted set), written into `m` (emptied first). A category path not created yet (`unresolvedCategory`) is
    /// hashed as `"path:<path>"`, so that it differs from every recorded `CateId` and from no category.
    static func fingerprint(
        title: String, description: String?, tags: [String], category: Int64?, redactedCover: String?,
        unresolvedCategory: String? = nil, scratch m: inout TextBuffer
    ) -> String {
        m.bytes.removeAll(keepingCapacity: true)
        m.append("{")
        func key(_ name: String, _ m: inout TextBuffer) {
            m.append(m.bytes.count > 1 ? ",\"" : "\"")
            m.append(name)
            m.append("\":")
        }
        if let v = category {
            key("category", &m)
            m.append(String(v))
        } else if let path = unresolvedCategory {
            key("category", &m)
            JSONValue.writeString("path:" + path, into: &m)
        }
        if let v = redactedCover {
            key("cover", &m)
            JSONValue.writeString(v, into: &m)
        }
        if let v = description {
            key("description", &m)
            JSONValue.writeString(v, into: &m)
        }
        if !tags.isEmpty {
            key("tags", &m)
            m.append("[")
            // Stored tags are often sorted already: no sorted copy then.
            let sorted = zip(tags, tags.dropFirst()).allSatisfy { $0 <= $1 }
            for (i, tag) in (sorted ? tags : tags.sorted()).enumerated() {
                if i > 0 { m.append(",") }
                JSONValue.writeString(tag, into: &m)
            }
            m.append("]")
        }
        key("title", &m)
        JSONValue.writeString(title, into: &m)
        m.append("}")
        return m.bytes.withUnsafeBytes { Digest.sha256Hex(bytes: $0) }
    }
}
