import MediaformCore

/// A group of uploads that can go in one `UploadMediaByURL` call.
public struct UploadBatch: Sendable, Equatable {
    public var assets: [Asset]
    /// The request-level parameters every asset of the batch shares.
    public var group: RequestGroup
}

/// Request-level parameters apply to every URL of one call (docs/design.md §2), so only assets with equal values share
/// a batch.
public struct RequestGroup: Sendable, Hashable {
    public var appId: String
    public var callback: String?
    public var extend: [String: JSONValue]?
    public var storageLocation: String?
    public var postProcessWorkflow: String?
    public var entity: String?

    public init(asset: Asset, appId: String) {
        self.appId = appId
        self.callback = asset.callback
        self.extend = asset.extend
        self.storageLocation = asset.storageLocation
        self.postProcessWorkflow = asset.postProcessWorkflow
        self.entity = asset.entity
    }

    /// `UserData`: the callback and the user's `Extend` plus mediaform's marker, which lets a later run recognise
    /// the jobs of this call after a crash (docs/design.md §5).
    public func userData(marker: String) -> JSONValue {
        var extend = self.extend ?? [:]
        extend[UploadBatching.markerKey] = .string(marker)
        var o: [String: JSONValue] = ["Extend": .object(extend)]
        if let callback {
            o["MessageCallback"] = .object(["CallbackType": .string("http"), "CallbackURL": .string(callback)])
        }
        return .object(o)
    }

    public var uploadTargetConfig: JSONValue? {
        storageLocation.map { .object(["StorageType": .string("oss"), "StorageLocation": .string($0)]) }
    }

    /// `PostProcessConfig`; the field carrying the workflow is probably `ProcessID` (UNCONFIRMED, docs/ims-api.md §3.1).
    public var postProcessConfig: JSONValue? {
        postProcessWorkflow.map { .object(["ProcessType": .string("Workflow"), "ProcessID": .string($0)]) }
    }
}

public enum UploadBatching {
    /// The key of mediaform's marker inside `UserData.Extend` (reserved by validation).
    public static let markerKey = "mediaform"

    /// Groups assets by request-level parameters, then cuts each group into batches of at most `size`, keeping
    /// the order of first appearance (deterministic for a given plan).
    public static func batches(_ assets: [Asset], appId: String, size: Int = UploadRequest.maximumItems)
        -> [UploadBatch]
    {
        var order: [RequestGroup] = []
        var groups: [RequestGroup: [Asset]] = [:]
        for asset in assets {
            let group = RequestGroup(asset: asset, appId: appId)
            if groups[group] == nil { order.append(group) }
            groups[group, default: []].append(asset)
        }
        var result: [UploadBatch] = []
        for group in order {
            let members = groups[group] ?? []
            var start = 0
            while start < members.count {
                result.append(
                    UploadBatch(assets: Array(members[start..<min(start + size, members.count)]), group: group))
                start += size
            }
        }
        return result
    }

    /// The metadata of one asset (docs/ims-api.md §3.2); numbers are sent as strings, as the API's model has them.
    public static func item(for asset: Asset) -> UploadItem {
        var m: [String: JSONValue] = ["Title": .string(asset.title)]
        if let v = asset.description { m["Description"] = .string(v) }
        if !asset.tags.isEmpty { m["Tags"] = .string(asset.tags.joined(separator: ",")) }
        if let v = asset.category { m["CateId"] = .string(String(v)) }
        if let v = asset.cover { m["CoverURL"] = .string(v) }
        if let v = asset.workflow { m["WorkflowId"] = .string(v) }
        if let v = asset.fileExtension { m["FileExtension"] = .string(v) }
        if let v = asset.fileSize { m["FileSize"] = .string(String(v)) }
        // DynamicMetaData and a per-item EntityId inside UploadMetadata are UNCONFIRMED for UploadMediaByURL
        // (docs/ims-api.md §3.2); both are sent, and EntityId also at request level.
        if let v = asset.metadata { m["DynamicMetaData"] = .string(JSONValue.object(v).canonicalJSON) }
        if let v = asset.entity { m["EntityId"] = .string(v) }
        return UploadItem(sourceURL: asset.source, metadata: m)
    }

    /// The call for a batch.
    public static func request(for batch: UploadBatch, marker: String) -> UploadRequest {
        UploadRequest(
            items: batch.assets.map(item(for:)), appId: batch.group.appId,
            userData: batch.group.userData(marker: marker),
            uploadTargetConfig: batch.group.uploadTargetConfig, postProcessConfig: batch.group.postProcessConfig,
            entityId: batch.group.entity)
    }

    /// True when a job's `UserData` carries `marker`.
    public static func userData(_ userData: String?, carries marker: String) -> Bool {
        self.marker(in: userData) == marker
    }

    /// The marker a `UserData` carries, if any: the media was uploaded by mediaform.
    public static func marker(in userData: String?) -> String? {
        guard let userData, let value = try? JSONParser.parse(userData) else { return nil }
        return value["Extend"]?[markerKey]?.stringValue
    }

    /// Whether two spellings of a URL (raw or percent-encoded once) name the same source.
    public static func sameURL(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let da = PercentEncoding.decode(Substring(a), plusAsSpace: false) ?? a
        let db = PercentEncoding.decode(Substring(b), plusAsSpace: false) ?? b
        return da == db || da == b || a == db
    }
}
