import Foundation
import MediaformCore

/// One URL of an `UploadMediaByURL` call and its `UploadMetadata` (docs/ims-api.md §3.2).
public struct UploadItem: Sendable, Equatable {
    /// The source URL as written in the manifest.
    public var sourceURL: String
    /// `Title`, `Description`, `Tags`, `CateId`, `CoverURL`, `WorkflowId`, `FileExtension`, `FileSize`,
    /// `DynamicMetaData` (only those set). `SourceURL` is added by the client.
    public var metadata: [String: JSONValue]

    public init(sourceURL: String, metadata: [String: JSONValue]) {
        self.sourceURL = sourceURL
        self.metadata = metadata
    }

    /// The URL as it appears in `UploadURLs` and `SourceURL`: percent-encoded once (docs/ims-api.md §10.6). Whether IMS
    /// compares `SourceURL` encoded or decoded is UNCONFIRMED, so both carry this same string.
    public var encodedURL: String { PercentEncoding.encode(sourceURL) }
}

/// An `UploadMediaByURL` call: up to 20 items sharing the request-level parameters.
public struct UploadRequest: Sendable, Equatable {
    public static let maximumItems = APILimits.uploadURLsPerCall

    public var items: [UploadItem]
    public var appId: String?
    /// `UserData` (JSON object: `MessageCallback`, `Extend`).
    public var userData: JSONValue?
    public var uploadTargetConfig: JSONValue?
    public var postProcessConfig: JSONValue?
    public var entityId: String?

    public init(
        items: [UploadItem], appId: String? = nil, userData: JSONValue? = nil, uploadTargetConfig: JSONValue? = nil,
        postProcessConfig: JSONValue? = nil, entityId: String? = nil
    ) {
        self.items = items
        self.appId = appId
        self.userData = userData
        self.uploadTargetConfig = uploadTargetConfig
        self.postProcessConfig = postProcessConfig
        self.entityId = entityId
    }

    /// The query parameters, exactly as sent.
    public var parameters: [(name: String, value: String)] {
        var p: [(name: String, value: String)] = [("UploadURLs", items.map(\.encodedURL).joined(separator: ","))]
        let metadata = items.map { item -> JSONValue in
            var m = item.metadata
            m["SourceURL"] = .string(item.encodedURL)
            return .object(m)
        }
        p.append(("MediaMetaData", JSONValue.array(metadata).canonicalJSON))
        if let appId { p.append(("AppId", appId)) }
        if let userData { p.append(("UserData", userData.canonicalJSON)) }
        if let uploadTargetConfig { p.append(("UploadTargetConfig", uploadTargetConfig.canonicalJSON)) }
        if let postProcessConfig { p.append(("PostProcessConfig", postProcessConfig.canonicalJSON)) }
        if let entityId { p.append(("EntityId", entityId)) }
        return p
    }
}

/// A job created by `UploadMediaByURL`.
public struct UploadJob: Sendable, Equatable {
    public var jobId: String
    public var mediaId: String?
    /// As the API echoes it (encoded or not: compare with `PercentEncoding.decode`).
    public var sourceURL: String

    public init(jobId: String, mediaId: String?, sourceURL: String) {
        self.jobId = jobId
        self.mediaId = mediaId
        self.sourceURL = sourceURL
    }
}

/// One entry of `GetUrlUploadInfos`. Fields are strings in the API; decoded leniently (numbers accepted).
public struct URLUploadInfo: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable { case succeeded, failed, running }

    public var jobId: String
    public var uploadURL: String
    public var mediaId: String?
    /// As the API sent it (the vocabulary is UNCONFIRMED: VOD's PENDING…SUCCESS, or ICE's example "Normal").
    public var status: String
    public var errorCode: String?
    public var errorMessage: String?
    public var userData: String?
    public var creationTime: String?
    public var completeTime: String?

    public init(
        jobId: String, uploadURL: String, mediaId: String?, status: String, errorCode: String?, errorMessage: String?,
        userData: String?, creationTime: String?, completeTime: String?
    ) {
        self.jobId = jobId
        self.uploadURL = uploadURL
        self.mediaId = mediaId
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.userData = userData
        self.creationTime = creationTime
        self.completeTime = completeTime
    }

    /// Success: `SUCCESS`, `Normal`, `UPLOAD_SUCCESS`. Failure: anything ending in `FAIL`, or an error code other
    /// than `200`. Anything else is still running (docs/ims-api.md §4.2).
    public var outcome: Outcome {
        let s = status.uppercased()
        if let code = errorCode, !code.isEmpty, code != "200", code.lowercased() != "success" { return .failed }
        if s == "SUCCESS" || s == "NORMAL" || s == "UPLOAD_SUCCESS" { return .succeeded }
        if s.hasSuffix("FAIL") || s.hasSuffix("FAILED") || s == "FAILURE" { return .failed }
        return .running
    }
}

/// Basic media information (`MediaBasicInfo`), decoded leniently.
public struct MediaInfo: Sendable, Equatable {
    public var mediaId: String
    public var title: String?
    public var description: String?
    public var tags: [String]
    public var cateId: Int64?
    public var coverURL: String?
    public var status: String?
    public var inputURL: String?
    /// `CreateTime` as the API wrote it.
    public var createTime: String? = nil
    /// `ModifiedTime` as the API wrote it.
    public var modifiedTime: String? = nil
    public var mediaType: String? = nil
    /// `UserData`, a JSON text (whether it is the upload's `UserData` is UNCONFIRMED; read leniently).
    public var userData: String? = nil
}

extension JSONValue {
    /// A string, or a number rendered as one (the API sends some numbers as strings and vice versa).
    public var looseString: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .bool(let b): String(b)
        default: nil
        }
    }

    public var looseInt: Int64? {
        switch self {
        case .int(let i): i
        case .string(let s): Int64(s)
        case .double(let d): Int64(exactly: d)
        default: nil
        }
    }
}

extension IMSClient {
    /// `RegisterMediaInfo` for an object of the team's own OSS bucket (`oss://bucket/object`): no copy, the media
    /// ID at once. Retried after an ambiguous failure, since `clientToken` makes a repeat return the same media
    /// (docs/ims-api.md §5.6). Returns the media ID.
    public func registerMediaInfo(_ asset: Asset, userData: JSONValue, clientToken: String) async throws(APIError)
        -> String
    {
        var p: [(name: String, value: String)] = [("InputURL", asset.source), ("Title", asset.title)]
        if let d = asset.description { p.append(("Description", d)) }
        if !asset.tags.isEmpty { p.append(("MediaTags", asset.tags.joined(separator: ","))) }
        if let c = asset.category { p.append(("CateId", String(c))) }
        if let cover = asset.cover { p.append(("CoverURL", cover)) }
        if let workflow = asset.workflow { p.append(("WorkflowId", workflow)) }
        p.append(("UserData", userData.canonicalJSON))
        p.append(("ClientToken", clientToken))
        let body = try await call("RegisterMediaInfo", p, idempotent: true)
        guard let mediaId = body["MediaId"]?.looseString, !mediaId.isEmpty else {
            throw .invalidResponse(status: 200, detail: "RegisterMediaInfo answered without a MediaId")
        }
        return mediaId
    }

    /// `UploadMediaByURL`: never retried after an ambiguous failure (no idempotency token, docs/ims-api.md §3.4).
    public func uploadMediaByURL(_ request: UploadRequest) async throws(APIError) -> [UploadJob] {
        guard !request.items.isEmpty, request.items.count <= UploadRequest.maximumItems else {
            throw .invalidResponse(
                status: 0,
                detail: "an upload call takes 1 to \(UploadRequest.maximumItems) URLs, got \(request.items.count)")
        }
        let body = try await call("UploadMediaByURL", request.parameters, idempotent: false)
        return (body["UploadJobs"]?.arrayValue ?? []).compactMap { job in
            guard let id = job["JobId"]?.looseString else { return nil }
            return UploadJob(
                jobId: id, mediaId: job["MediaId"]?.looseString, sourceURL: job["SourceURL"]?.looseString ?? "")
        }
    }

    /// `GetUrlUploadInfos` by job IDs (at most 10).
    public func getUrlUploadInfos(jobIds: [String]) async throws(APIError) -> (
        infos: [URLUploadInfo], nonExists: [String]
    ) {
        try await urlUploadInfos([("JobIds", jobIds.joined(separator: ","))], count: jobIds.count)
    }

    /// `GetUrlUploadInfos` by source URLs (at most 10; each encoded as in `UploadURLs`).
    public func getUrlUploadInfos(uploadURLs: [String]) async throws(APIError) -> (
        infos: [URLUploadInfo], nonExists: [String]
    ) {
        try await urlUploadInfos(
            [("UploadURLs", uploadURLs.map(PercentEncoding.encode).joined(separator: ","))], count: uploadURLs.count)
    }

    private func urlUploadInfos(_ parameters: [(name: String, value: String)], count: Int) async throws(APIError) -> (
        infos: [URLUploadInfo], nonExists: [String]
    ) {
        guard count > 0, count <= 10 else {
            throw .invalidResponse(status: 0, detail: "GetUrlUploadInfos takes 1 to 10 IDs or URLs, got \(count)")
        }
        let body = try await call("GetUrlUploadInfos", parameters, idempotent: true)
        let infos = (body["URLUploadInfoList"]?.arrayValue ?? []).compactMap { i -> URLUploadInfo? in
            guard let id = i["JobId"]?.looseString else { return nil }
            return URLUploadInfo(
                jobId: id, uploadURL: i["UploadURL"]?.looseString ?? "",
                mediaId: i["MediaId"]?.looseString.flatMap { $0.isEmpty ? nil : $0 },
                status: i["Status"]?.looseString ?? "", errorCode: i["ErrorCode"]?.looseString,
                errorMessage: i["ErrorMessage"]?.looseString,
                userData: i["UserData"]?.looseString, creationTime: i["CreationTime"]?.looseString,
                completeTime: i["CompleteTime"]?.looseString)
        }
        return (infos, (body["NonExists"]?.arrayValue ?? []).compactMap(\.looseString))
    }

    static func mediaInfo(_ value: JSONValue) -> MediaInfo? {
        let basic = value["MediaBasicInfo"] ?? value
        guard let id = value["MediaId"]?.looseString ?? basic["MediaId"]?.looseString else { return nil }
        let tags = (basic["MediaTags"]?.looseString ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        return MediaInfo(
            mediaId: id, title: basic["Title"]?.looseString, description: basic["Description"]?.looseString, tags: tags,
            cateId: basic["CateId"]?.looseInt, coverURL: basic["CoverURL"]?.looseString,
            status: basic["Status"]?.looseString,
            inputURL: basic["InputURL"]?.looseString, createTime: basic["CreateTime"]?.looseString,
            modifiedTime: basic["ModifiedTime"]?.looseString,
            mediaType: basic["MediaType"]?.looseString, userData: basic["UserData"]?.looseString)
    }

    /// `GetMediaInfo`; nil when the media does not exist.
    public func getMediaInfo(mediaId: String) async throws(APIError) -> MediaInfo? {
        do {
            let body = try await call("GetMediaInfo", [("MediaId", mediaId)], idempotent: true)
            return body["MediaInfo"].flatMap(Self.mediaInfo)
        } catch {
            if case .service(let e) = error,
                e.code.contains("NotExist") || e.code.contains("NotFound") && e.code != "InvalidAccessKeyId.NotFound"
            {
                return nil
            }
            throw error
        }
    }

    /// `BatchGetMediaInfos` (the maximum count per call is UNCONFIRMED; callers send at most 20).
    public func batchGetMediaInfos(mediaIds: [String]) async throws(APIError) -> (infos: [MediaInfo], ignored: [String])
    {
        let body = try await call(
            "BatchGetMediaInfos", [("MediaIds", mediaIds.joined(separator: ","))], idempotent: true)
        return (
            (body["MediaInfos"]?.arrayValue ?? []).compactMap(Self.mediaInfo),
            (body["IgnoredList"]?.arrayValue ?? []).compactMap(\.looseString)
        )
    }

    /// `UpdateMediaInfo` with the full managed set: tags overwrite (`AppendTags=false`). Whether omitted fields are
    /// cleared is UNCONFIRMED, so every managed field is sent.
    public func updateMediaInfo(
        mediaId: String, title: String, description: String?, tags: [String], cateId: Int64?, coverURL: String?
    ) async throws(APIError) {
        var p: [(name: String, value: String)] = [
            ("MediaId", mediaId), ("Title", title), ("MediaTags", tags.joined(separator: ",")), ("AppendTags", "false"),
        ]
        p.append(("Description", description ?? ""))
        if let cateId { p.append(("CateId", String(cateId))) }
        if let coverURL { p.append(("CoverURL", coverURL)) }
        _ = try await call("UpdateMediaInfo", p, idempotent: true)
    }

    /// `DeleteMediaInfos`; returns the IDs refused (no permission) and ignored (not found).
    public func deleteMediaInfos(mediaIds: [String], deletePhysicalFiles: Bool = false) async throws(APIError) -> (
        forbidden: [String], ignored: [String]
    ) {
        let body = try await call(
            "DeleteMediaInfos",
            [
                ("MediaIds", mediaIds.joined(separator: ",")),
                ("DeletePhysicalFiles", deletePhysicalFiles ? "true" : "false"),
            ],
            idempotent: true)
        return (
            (body["ForbiddenList"]?.arrayValue ?? []).compactMap(\.looseString),
            (body["IgnoredList"]?.arrayValue ?? []).compactMap(\.looseString)
        )
    }

    /// One page of `ListMediaBasicInfos` (`MaxResults` ≤ 100); an empty `nextToken` means the end.
    /// - Parameters:
    ///   - sortBy: `desc` (the API's default, newest first) or `asc`, by creation time.
    ///   - mediaType, status: the API's filters (`video`, `audio`…; `Normal`, `PrepareFail`…).
    public func listMediaBasicInfos(
        nextToken: String? = nil, maxResults: Int = 100, sortBy: String? = nil, mediaType: String? = nil,
        status: String? = nil
    ) async throws(APIError) -> (infos: [MediaInfo], nextToken: String?, total: Int?) {
        var p: [(name: String, value: String)] = [("MaxResults", String(min(100, max(1, maxResults))))]
        if let nextToken, !nextToken.isEmpty { p.append(("NextToken", nextToken)) }
        if let sortBy { p.append(("SortBy", sortBy)) }
        if let mediaType { p.append(("MediaType", mediaType)) }
        if let status { p.append(("Status", status)) }
        let body = try await call("ListMediaBasicInfos", p, idempotent: true)
        let next = body["NextToken"]?.looseString
        return (
            (body["MediaInfos"]?.arrayValue ?? []).compactMap(Self.mediaInfo), (next?.isEmpty ?? true) ? nil : next,
            body["TotalCount"]?.looseInt.map { Int($0) }
        )
    }
}
