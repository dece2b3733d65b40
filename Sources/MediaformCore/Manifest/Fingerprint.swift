/// SHA-256 fingerprints of an effective asset, split the way the API splits what can change (design §3).
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
        if let v = category { o["category"] = .int(v) }
        if let v = cover { o["cover"] = .string(URLRedaction.redact(v)) }
        return .object(o)
    }

    /// Both fingerprints; `appId` is the project's application.
    public func fingerprints(appId: String) -> Fingerprints {
        Fingerprints(
            upload: Digest.sha256Hex(uploadInputs(appId: appId).canonicalJSON),
            mutable: Digest.sha256Hex(mutableFields.canonicalJSON))
    }
}
