import Foundation
import MediaformCore
import MediaformKit

/// An HTTP request as the emulator sees it, independent of the server library.
public struct EmulatorRequest: Sendable {
    public var method: String
    /// The raw query string (without `?`).
    public var query: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, query: String, headers: [String: String], body: Data) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The emulator's answer.
public struct EmulatorResponse: Sendable {
    public var status: Int
    public var body: String
    /// Close the connection after the work is done, without answering.
    public var drop: Bool

    static func json(_ value: JSONValue, status: Int = 200) -> EmulatorResponse {
        EmulatorResponse(status: status, body: value.canonicalJSON, drop: false)
    }
}

/// An upload job and the media it creates.
struct EmulatedJob: Sendable, Equatable {
    var jobId: String
    var mediaId: String
    /// The URL as submitted in `UploadURLs`, decoded once.
    var uploadURL: String
    var created: Double
    var userData: String?
    var appId: String
    var title: String
    var description: String?
    var tags: [String]
    var cateId: Int64?
    var coverURL: String?
    /// Decided when the job ends: nil while running.
    var failure: String?
    var finished: Bool
    var deleted: Bool
    var callbackSent: Bool

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "jobId": .string(jobId), "mediaId": .string(mediaId), "uploadURL": .string(uploadURL),
            "created": .double(created),
            "appId": .string(appId), "title": .string(title), "tags": .array(tags.map(JSONValue.string)),
            "finished": .bool(finished), "deleted": .bool(deleted), "callbackSent": .bool(callbackSent),
        ]
        if let userData { o["userData"] = .string(userData) }
        if let description { o["description"] = .string(description) }
        if let cateId { o["cateId"] = .int(cateId) }
        if let coverURL { o["coverURL"] = .string(coverURL) }
        if let failure { o["failure"] = .string(failure) }
        return .object(o)
    }

    init(json v: JSONValue) throws {
        guard let jobId = v["jobId"]?.stringValue, let mediaId = v["mediaId"]?.stringValue,
            let url = v["uploadURL"]?.stringValue
        else {
            throw EmulatorError.badLog
        }
        self.jobId = jobId
        self.mediaId = mediaId
        self.uploadURL = url
        if case .double(let d)? = v["created"] { created = d } else { created = Double(v["created"]?.intValue ?? 0) }
        userData = v["userData"]?.stringValue
        appId = v["appId"]?.stringValue ?? Project.defaultAppId
        title = v["title"]?.stringValue ?? ""
        description = v["description"]?.stringValue
        tags = v["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        cateId = v["cateId"]?.intValue
        coverURL = v["coverURL"]?.stringValue
        failure = v["failure"]?.stringValue
        finished = v["finished"]?.boolValue ?? false
        deleted = v["deleted"]?.boolValue ?? false
        callbackSent = v["callbackSent"]?.boolValue ?? false
    }

    init(
        jobId: String, mediaId: String, uploadURL: String, created: Double, userData: String?, appId: String,
        title: String, description: String?, tags: [String], cateId: Int64?, coverURL: String?
    ) {
        self.jobId = jobId
        self.mediaId = mediaId
        self.uploadURL = uploadURL
        self.created = created
        self.userData = userData
        self.appId = appId
        self.title = title
        self.description = description
        self.tags = tags
        self.cateId = cateId
        self.coverURL = coverURL
        self.failure = nil
        self.finished = false
        self.deleted = false
        self.callbackSent = false
    }
}

enum EmulatorError: Error { case badLog }

/// Jobs in creation order, found by job ID and by media ID; a job stored again replaces its earlier version.
struct JobIndex {
    var jobs: [EmulatedJob] = []
    var byJob: [String: Int] = [:]
    var byMedia: [String: Int] = [:]

    mutating func insert(_ job: EmulatedJob) {
        if let i = byJob[job.jobId] {
            jobs[i] = job
        } else {
            byJob[job.jobId] = jobs.count
            byMedia[job.mediaId] = jobs.count
            jobs.append(job)
        }
    }
}

/// A gateway error: code, message and HTTP status, as IMS sends them (ims-api.md §6).
struct APIFault: Error {
    var code: String
    var message: String
    var status: Int

    static func missing(_ name: String) -> APIFault {
        APIFault(
            code: "MissingParameter.\(name)",
            message: "The input parameter \"\(name)\" that is mandatory for processing this request is not supplied.",
            status: 400)
    }

    static func invalid(_ name: String, _ why: String) -> APIFault {
        APIFault(
            code: "InvalidParameter.\(name)", message: "The specified parameter \"\(name)\" is not valid. \(why)",
            status: 400)
    }
}

/// The emulated API: authentication like the gateway, validation like the API, jobs with a lifecycle, faults on
/// demand, and persistence to an append-only log. The HTTP server in front of it is `EmulatorServer`.
public actor EmulatorService {
    public let configuration: EmulatorConfiguration
    private var jobs: [EmulatedJob] = []
    private var jobIndex: [String: Int] = [:]
    private var mediaIndex: [String: Int] = [:]
    private var nonces: [String: Double] = [:]
    private var requestTimes: [Double] = []
    private var log: FileHandle?
    private var random: SystemRandomNumberGenerator
    private let callbackTransport = HTTPClientTransport.shared

    public init(configuration: EmulatorConfiguration) throws {
        self.configuration = configuration
        self.random = SystemRandomNumberGenerator()
        if let dir = configuration.dataDirectory {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/jobs.jsonl"
            if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
                var index = JobIndex()
                for line in text.split(separator: "\n") {
                    // A torn last line (the emulator was killed mid-write) is skipped.
                    guard let value = try? JSONParser.parse(String(line)), let job = try? EmulatedJob(json: value)
                    else { continue }
                    index.insert(job)
                }
                jobs = index.jobs
                jobIndex = index.byJob
                mediaIndex = index.byMedia
            } else {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            log = FileHandle(forWritingAtPath: path)
            log?.seekToEndOfFile()
        }
    }

    private func now() -> Double { configuration.clock() }

    private func persist(_ job: EmulatedJob) {
        guard let log else { return }
        log.write(Data((job.json.canonicalJSON + "\n").utf8))
        try? log.synchronize()
    }

    private func store(_ job: EmulatedJob) {
        var index = JobIndex(jobs: jobs, byJob: jobIndex, byMedia: mediaIndex)
        // Drop our references first, so that the index's storage is unique and changes in place (no copies).
        jobs = []
        jobIndex = [:]
        mediaIndex = [:]
        index.insert(job)
        jobs = index.jobs
        jobIndex = index.byJob
        mediaIndex = index.byMedia
        persist(job)
    }

    private static func id() -> String { UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    // MARK: - Entry point

    /// Answers one request.
    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        let requestId = UUID().uuidString.uppercased()
        if configuration.latency > 0 { try? await Task.sleep(nanoseconds: UInt64(configuration.latency * 1e9)) }
        do {
            var parameters = try Self.parameters(request)
            let action = try authenticate(request, parameters: &parameters)
            try throttle()
            if configuration.errorRate > 0, Double.random(in: 0..<1, using: &random) < configuration.errorRate {
                throw Bool.random(using: &random)
                    ? APIFault(
                        code: "ServiceUnavailable",
                        message: "The request has failed due to a temporary failure of the server.", status: 503)
                    : APIFault(
                        code: "InternalError", message: "The request processing has failed due to some unknown error.",
                        status: 500)
            }
            var body = try await perform(action, Dictionary(parameters, uniquingKeysWith: { a, _ in a }))
            body["RequestId"] = .string(requestId)
            var response = EmulatorResponse.json(.object(body))
            if action == "UploadMediaByURL", configuration.dropRate > 0,
                Double.random(in: 0..<1, using: &random) < configuration.dropRate
            {
                response.drop = true
            }
            return response
        } catch let fault as APIFault {
            return .json(
                .object([
                    "RequestId": .string(requestId), "HostId": .string(request.headers["host"] ?? "ice.emulator"),
                    "Code": .string(fault.code),
                    "Message": .string(fault.message),
                    "Recommend": .string(
                        "https://api.aliyun.com/troubleshoot?q=\(fault.code)&product=ICE&requestId=\(requestId)"),
                ]), status: fault.status)
        } catch {
            return .json(
                .object([
                    "RequestId": .string(requestId), "Code": .string("InternalError"), "Message": .string("\(error)"),
                ]), status: 500)
        }
    }

    /// Query parameters, plus form-body parameters (the legacy SDK may POST a form).
    static func parameters(_ request: EmulatorRequest) throws -> [(name: String, value: String)] {
        guard var pairs = PercentEncoding.parseQuery(Substring(request.query)) else {
            throw APIFault(code: "InvalidParameter", message: "The query string is not correctly encoded.", status: 400)
        }
        if request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true,
            !request.body.isEmpty
        {
            guard let form = PercentEncoding.parseQuery(Substring(String(decoding: request.body, as: UTF8.self))) else {
                throw APIFault(
                    code: "InvalidParameter", message: "The form body is not correctly encoded.", status: 400)
            }
            pairs += form
        }
        return pairs
    }

    // MARK: - Authentication (ims-api.md §2, §6.2)

    private func authenticate(_ request: EmulatorRequest, parameters: inout [(name: String, value: String)]) throws
        -> String
    {
        let t = now()
        if let authorization = request.headers["authorization"] {
            guard let parsed = SignatureV3.parseAuthorization(authorization) else {
                throw APIFault(
                    code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                    status: 400)
            }
            guard let action = request.headers["x-acs-action"], let date = request.headers["x-acs-date"],
                let nonce = request.headers["x-acs-signature-nonce"], parsed.signedHeaders.contains("host"),
                parsed.signedHeaders.contains("x-acs-date"), parsed.signedHeaders.contains("x-acs-signature-nonce")
            else {
                throw APIFault(
                    code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                    status: 400)
            }
            guard request.headers["x-acs-version"] == RequestSigner.apiVersion else {
                throw APIFault(
                    code: "InvalidVersion", message: "Specified parameter Version is not valid.", status: 400)
            }
            try checkKey(parsed.accessKeyId, token: request.headers["x-acs-security-token"])
            try checkTime(date, nonce: nonce, now: t)
            let payloadHash =
                request.headers["x-acs-content-sha256"] ?? Digest.hex(Digest.hash(.sha256, Array(request.body)))
            let signed = SignatureV3.sign(
                method: request.method, canonicalQuery: PercentEncoding.canonicalQuery(parameters),
                headers: request.headers,
                signedHeaderNames: parsed.signedHeaders, payloadHash: payloadHash, accessKeyId: parsed.accessKeyId,
                accessKeySecret: configuration.accessKeySecret)
            guard signed.signature == parsed.signature else {
                throw APIFault(
                    code: "SignatureDoesNotMatch", message: "Specified signature does not match our calculation.",
                    status: 400)
            }
            nonces[nonce] = t
            return action
        }
        guard let signature = parameters.first(where: { $0.name == "Signature" })?.value else {
            throw APIFault(
                code: "MissingParameter.Signature",
                message:
                    "The input parameter \"Signature\" that is mandatory for processing this request is not supplied.",
                status: 400)
        }
        let p = Dictionary(parameters, uniquingKeysWith: { a, _ in a })
        guard let action = p["Action"] else { throw APIFault.missing("Action") }
        guard let keyId = p["AccessKeyId"], let timestamp = p["Timestamp"], let nonce = p["SignatureNonce"] else {
            throw APIFault(
                code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                status: 400)
        }
        guard p["Version"] == RequestSigner.apiVersion else {
            throw APIFault(code: "InvalidVersion", message: "Specified parameter Version is not valid.", status: 400)
        }
        guard p["SignatureMethod"] == "HMAC-SHA1", p["SignatureVersion"] == "1.0" else {
            throw APIFault(
                code: "IncompleteSignature", message: "The request signature does not conform to Aliyun standards.",
                status: 400)
        }
        try checkKey(keyId, token: p["SecurityToken"])
        try checkTime(timestamp, nonce: nonce, now: t)
        let unsigned = parameters.filter { $0.name != "Signature" }
        let stringToSign = SignatureV1.stringToSign(method: request.method, parameters: unsigned)
        guard
            SignatureV1.signature(stringToSign: stringToSign, accessKeySecret: configuration.accessKeySecret)
                == signature
        else {
            throw APIFault(
                code: "SignatureDoesNotMatch",
                message:
                    "Specified signature is not matched with our calculation. server string to sign is:\(stringToSign)",
                status: 400)
        }
        nonces[nonce] = t
        parameters = unsigned.filter {
            ![
                "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Format",
                "Version", "Action", "SecurityToken", "RegionId",
            ].contains($0.name)
        }
        return action
    }

    private func checkKey(_ id: String, token: String?) throws {
        guard id == configuration.accessKeyId else {
            throw APIFault(
                code: "InvalidAccessKeyId.NotFound", message: "Specified access key is not found.", status: 404)
        }
        if let expected = configuration.securityToken, token != expected {
            throw APIFault(
                code: token == nil ? "InvalidSecurityToken.Malformed" : "InvalidSecurityToken.MismatchWithAccessKey",
                message: "Specified SecurityToken is not valid.", status: 400)
        }
    }

    private func checkTime(_ timestamp: String, nonce: String, now t: Double) throws {
        guard let time = Timestamps.parse(timestamp), timestamp.hasSuffix("Z") else {
            throw APIFault(
                code: "InvalidTimeStamp.Format", message: "Specified time stamp or date value is not well formatted.",
                status: 400)
        }
        guard abs(t - time) <= configuration.allowedSkew else {
            throw APIFault(
                code: "InvalidTimeStamp.Expired", message: "Specified time stamp or date value is expired.", status: 400
            )
        }
        // Forget nonces older than the skew window: a reuse beyond it is caught by the timestamp check.
        if nonces.count > 100_000 { nonces = nonces.filter { t - $0.value <= configuration.allowedSkew } }
        guard nonces[nonce] == nil else {
            throw APIFault(
                code: "SignatureNonceUsed", message: "Specified signature nonce was used already.", status: 400)
        }
    }

    private func throttle() throws {
        if configuration.throttleRate > 0, Double.random(in: 0..<1, using: &random) < configuration.throttleRate {
            throw APIFault(
                code: "Throttling.User", message: "Request was denied due to user flow control.", status: 400)
        }
        guard let limit = configuration.rateLimit else { return }
        let t = now()
        requestTimes.removeAll { t - $0 >= 1 }
        guard Double(requestTimes.count) < limit else {
            throw APIFault(
                code: "Throttling.User", message: "Request was denied due to user flow control.", status: 400)
        }
        requestTimes.append(t)
    }

    // MARK: - Actions (ims-api.md §3–§5)

    private func perform(_ action: String, _ p: [String: String]) async throws -> [String: JSONValue] {
        switch action {
        case "UploadMediaByURL": return try upload(p)
        case "GetUrlUploadInfos": return try await urlUploadInfos(p)
        case "GetMediaInfo":
            guard let id = p["MediaId"], !id.isEmpty else { throw APIFault.missing("MediaId") }
            await advance()
            guard let i = mediaIndex[id], !jobs[i].deleted else {
                throw APIFault(code: "MediaNotExist", message: "The specified media does not exist.", status: 404)
            }
            return ["MediaInfo": mediaInfo(jobs[i])]
        case "BatchGetMediaInfos":
            guard let ids = p["MediaIds"], !ids.isEmpty else { throw APIFault.missing("MediaIds") }
            await advance()
            var infos: [JSONValue] = [], ignored: [JSONValue] = []
            for id in ids.split(separator: ",").map(String.init) {
                if let i = mediaIndex[id], !jobs[i].deleted {
                    infos.append(mediaInfo(jobs[i]))
                } else {
                    ignored.append(.string(id))
                }
            }
            return ["MediaInfos": .array(infos), "IgnoredList": .array(ignored)]
        case "UpdateMediaInfo": return try update(p)
        case "DeleteMediaInfos":
            guard let ids = p["MediaIds"], !ids.isEmpty else { throw APIFault.missing("MediaIds") }
            var ignored: [JSONValue] = []
            for id in ids.split(separator: ",").map(String.init) {
                guard let i = mediaIndex[id], !jobs[i].deleted else {
                    ignored.append(.string(id))
                    continue
                }
                var job = jobs[i]
                job.deleted = true
                store(job)
            }
            return ["ForbiddenList": .array([]), "IgnoredList": .array(ignored)]
        case "ListMediaBasicInfos":
            await advance()
            let max = min(100, Int(p["MaxResults"] ?? "10") ?? 10)
            let live = jobs.filter { !$0.deleted }.sorted { $0.created > $1.created }
            let start = Int(p["NextToken"] ?? "0") ?? 0
            let page = live.dropFirst(start).prefix(max)
            let next = start + page.count < live.count ? String(start + page.count) : ""
            return [
                "MediaInfos": .array(page.map(mediaInfo)), "NextToken": .string(next), "MaxResults": .int(Int64(max)),
                "TotalCount": .int(Int64(live.count)),
            ]
        default:
            throw APIFault(
                code: "InvalidAction.NotFound",
                message: "Specified api is not found, please check your url and method.", status: 404)
        }
    }

    private func decodeURLList(_ value: String, name: String, limit: Int) throws -> [String] {
        let items = value.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !items.isEmpty, items.count <= limit else {
            throw APIFault.invalid(name, "At most \(limit) values are allowed.")
        }
        return try items.map { item in
            guard !item.isEmpty, let url = PercentEncoding.decode(Substring(item), plusAsSpace: false) else {
                throw APIFault.invalid(name, "A URL is empty or not correctly encoded.")
            }
            return url
        }
    }

    private func upload(_ p: [String: String]) throws -> [String: JSONValue] {
        guard let raw = p["UploadURLs"], !raw.isEmpty else { throw APIFault.missing("UploadURLs") }
        let urls = try decodeURLList(raw, name: "UploadURLs", limit: 20)
        var metadata: [String: [String: JSONValue]] = [:]
        if let text = p["MediaMetaData"] {
            guard let value = try? JSONParser.parse(text), let entries = value.arrayValue else {
                throw APIFault.invalid("MediaMetaData", "It must be a JSON array.")
            }
            for entry in entries {
                guard let o = entry.objectValue, let source = o["SourceURL"]?.stringValue else {
                    throw APIFault.invalid("MediaMetaData", "Each entry needs a SourceURL.")
                }
                // SourceURL must name one of the UploadURLs (compared decoded: UNCONFIRMED how IMS compares).
                let decoded = PercentEncoding.decode(Substring(source), plusAsSpace: false) ?? source
                guard urls.contains(decoded) || urls.contains(source) else {
                    throw APIFault.invalid("MediaMetaData", "SourceURL \(source) is not one of the UploadURLs.")
                }
                metadata[decoded] = o
            }
        }
        if let userData = p["UserData"] {
            guard userData.utf8.count <= APILimits.userDataBytes, let value = try? JSONParser.parse(userData),
                value.objectValue != nil
            else {
                throw APIFault.invalid(
                    "UserData", "It must be a JSON object of at most \(APILimits.userDataBytes) bytes.")
            }
            if let extend = value["Extend"], extend.canonicalJSON.utf8.count > APILimits.extendBytes {
                throw APIFault.invalid("UserData", "Extend is longer than \(APILimits.extendBytes) bytes.")
            }
        }
        for name in ["UploadTargetConfig", "PostProcessConfig"] {
            if let text = p[name], (try? JSONParser.parse(text))?.objectValue == nil {
                throw APIFault.invalid(name, "It must be a JSON object.")
            }
        }
        var created: [(EmulatedJob, JSONValue)] = []
        for url in urls {
            let meta = metadata[url] ?? [:]
            guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") else {
                throw APIFault.invalid("UploadURLs", "Only http and https URLs are supported.")
            }
            let ext = meta["FileExtension"]?.stringValue ?? APILimits.pathExtension(of: url)
            guard APILimits.mediaExtensions.contains(ext.lowercased()) else {
                throw APIFault.invalid(
                    "UploadURLs", "The URL \(url) has no audio or video file extension; set FileExtension.")
            }
            let title = meta["Title"]?.stringValue ?? String(url.split(separator: "/").last ?? "untitled")
            try checkText(title, name: "Title", limit: APILimits.titleBytes)
            if let d = meta["Description"]?.stringValue {
                try checkText(d, name: "Description", limit: APILimits.descriptionBytes)
            }
            let tags = (meta["Tags"]?.stringValue ?? "").split(separator: ",").map(String.init)
            guard tags.count <= APILimits.tagCount else {
                throw APIFault.invalid("Tags", "At most \(APILimits.tagCount) tags are allowed.")
            }
            for tag in tags { try checkText(tag, name: "Tags", limit: APILimits.tagBytes) }
            if let cover = meta["CoverURL"]?.stringValue, cover.utf8.count > APILimits.coverBytes {
                throw APIFault.invalid("CoverURL", "It is longer than \(APILimits.coverBytes) bytes.")
            }
            let job = EmulatedJob(
                jobId: Self.id(), mediaId: Self.id(), uploadURL: url, created: now(), userData: p["UserData"],
                appId: p["AppId"] ?? Project.defaultAppId, title: title, description: meta["Description"]?.stringValue,
                tags: tags,
                cateId: meta["CateId"]?.looseInt, coverURL: meta["CoverURL"]?.stringValue)
            created.append(
                (
                    job,
                    .object([
                        "JobId": .string(job.jobId), "MediaId": .string(job.mediaId),
                        "SourceURL": .string(PercentEncoding.encode(url)),
                    ])
                ))
        }
        // All URLs are validated before any job is created: a rejected call creates nothing.
        for (job, _) in created { store(job) }
        return ["UploadJobs": .array(created.map(\.1))]
    }

    private func checkText(_ text: String, name: String, limit: Int) throws {
        guard text.utf8.count <= limit else { throw APIFault.invalid(name, "It is longer than \(limit) bytes.") }
        if APILimits.firstEmoji(in: text) != nil { throw APIFault.invalid(name, "Emoji are not supported.") }
    }

    private func update(_ p: [String: String]) throws -> [String: JSONValue] {
        guard let id = p["MediaId"], !id.isEmpty else { throw APIFault.missing("MediaId") }
        guard let i = mediaIndex[id], !jobs[i].deleted else {
            throw APIFault(code: "MediaNotExist", message: "The specified media does not exist.", status: 404)
        }
        var job = jobs[i]
        if let title = p["Title"] {
            try checkText(title, name: "Title", limit: APILimits.titleBytes)
            job.title = title
        }
        if let d = p["Description"] {
            try checkText(d, name: "Description", limit: APILimits.descriptionBytes)
            job.description = d.isEmpty ? nil : d
        }
        if let tagText = p["MediaTags"] {
            let tags = tagText.split(separator: ",").map(String.init)
            guard tags.count <= APILimits.tagCount else {
                throw APIFault.invalid("MediaTags", "At most \(APILimits.tagCount) tags are allowed.")
            }
            for tag in tags { try checkText(tag, name: "MediaTags", limit: APILimits.tagBytes) }
            job.tags = p["AppendTags"] == "true" ? job.tags + tags.filter { !job.tags.contains($0) } : tags
        }
        if let c = p["CateId"] {
            guard let cate = Int64(c) else { throw APIFault.invalid("CateId", "It must be an integer.") }
            job.cateId = cate
        }
        if let cover = p["CoverURL"] {
            guard cover.utf8.count <= APILimits.coverBytes else {
                throw APIFault.invalid("CoverURL", "It is longer than \(APILimits.coverBytes) bytes.")
            }
            job.coverURL = cover
        }
        store(job)
        return ["MediaId": .string(id)]
    }

    private func urlUploadInfos(_ p: [String: String]) async throws -> [String: JSONValue] {
        await advance()
        var infos: [JSONValue] = [], missing: [JSONValue] = []
        if let ids = p["JobIds"], !ids.isEmpty {
            let list = ids.split(separator: ",").map(String.init)
            guard list.count <= 10 else { throw APIFault.invalid("JobIds", "At most 10 job IDs are allowed.") }
            for id in list {
                if let i = jobIndex[id] { infos.append(info(jobs[i])) } else { missing.append(.string(id)) }
            }
        } else if let raw = p["UploadURLs"], !raw.isEmpty {
            let urls = try decodeURLList(raw, name: "UploadURLs", limit: 10)
            for (url, original) in zip(urls, raw.split(separator: ",").map(String.init)) {
                let matches = jobs.filter { $0.uploadURL == url }.suffix(100)
                if matches.isEmpty { missing.append(.string(original)) }
                infos += matches.map(info)
            }
        } else {
            throw APIFault.missing("JobIds")
        }
        return ["URLUploadInfoList": .array(infos), "NonExists": .array(missing)]
    }

    // MARK: - Lifecycle

    private func status(_ job: EmulatedJob) -> String {
        if job.finished { return job.failure == nil ? "SUCCESS" : "UPLOAD_FAIL" }
        return now() - job.created < configuration.processDelay / 2 ? "PENDING" : "PROCESSING"
    }

    private static func iso(_ t: Double) -> String { Date(timeIntervalSince1970: t).formatted(.iso8601) }

    private func info(_ job: EmulatedJob) -> JSONValue {
        var o: [String: JSONValue] = [
            "JobId": .string(job.jobId), "UploadURL": .string(PercentEncoding.encode(job.uploadURL)),
            "MediaId": .string(job.mediaId),
            "Status": .string(status(job)), "CreationTime": .string(Self.iso(job.created)),
            "FileSize": .string("1048576"),
            "ErrorCode": .string(job.failure == nil ? "" : "URLInvalidError"),
            "ErrorMessage": .string(job.failure ?? ""),
        ]
        if job.finished { o["CompleteTime"] = .string(Self.iso(job.created + configuration.processDelay)) }
        if let u = job.userData { o["UserData"] = .string(u) }
        return .object(o)
    }

    private func mediaInfo(_ job: EmulatedJob) -> JSONValue {
        var basic: [String: JSONValue] = [
            "MediaId": .string(job.mediaId), "InputURL": .string(job.uploadURL),
            "MediaType": .string(Self.mediaType(job.uploadURL)),
            "Title": .string(job.title), "MediaTags": .string(job.tags.joined(separator: ",")),
            "Source": .string("vod"),
            "Status": .string(job.finished ? (job.failure == nil ? "Normal" : "PrepareFail") : "Preparing"),
            "CreateTime": .string(Self.iso(job.created)), "BusinessType": .string("general"),
        ]
        if let d = job.description { basic["Description"] = .string(d) }
        if let c = job.cateId { basic["CateId"] = .int(c) }
        if let cover = job.coverURL { basic["CoverURL"] = .string(cover) }
        return .object(["MediaId": .string(job.mediaId), "MediaBasicInfo": .object(basic), "FileInfoList": .array([])])
    }

    static func mediaType(_ url: String) -> String {
        APILimits.audioExtensions.contains(APILimits.pathExtension(of: url)) ? "audio" : "video"
    }

    /// Ends the jobs whose time has come: checks sources (loopback only) and records the outcome.
    func advance() async {
        let t = now()
        for i in jobs.indices where !jobs[i].finished && t - jobs[i].created >= configuration.processDelay {
            var job = jobs[i]
            if configuration.checkSources, await !sourceReachable(job.uploadURL) {
                job.failure = "download video failed by the url, please check it"
            }
            job.finished = true
            store(job)
        }
    }

    /// Checked once per job (not cached per URL: a source may come back, and a retry must see it).
    private func sourceReachable(_ url: String) async -> Bool {
        let host =
            url.split(separator: "/").dropFirst(1).first.map { $0.split(separator: ":").first.map(String.init) ?? "" }
            ?? ""
        guard host == "127.0.0.1" || host == "localhost" else { return true }
        let response = try? await callbackTransport.send(HTTPRequest(method: "GET", url: url, headers: [], timeout: 5))
        return response.map { (200..<300).contains($0.status) } ?? false
    }

    /// Posts `UploadByURLComplete` events for finished jobs whose `UserData` names a callback (ims-api.md §7).
    public func deliverCallbacks() async {
        await advance()
        for i in jobs.indices where jobs[i].finished && !jobs[i].callbackSent {
            let job = jobs[i]
            guard let userData = job.userData, let value = try? JSONParser.parse(userData),
                let callback = value["MessageCallback"]?["CallbackURL"]?.stringValue
            else { continue }
            var marked = job
            marked.callbackSent = true
            store(marked)
            let event = JSONValue.object([
                "EventType": .string("UploadByURLComplete"), "UserId": .int(1_000_000),
                "EventTime": .string(Self.iso(now())),
                "MessageBody": .object([
                    "Status": .string(job.failure == nil ? "Success" : "Fail"), "SourceURL": .string(job.uploadURL),
                    "JobId": .string(job.jobId), "MediaId": .string(job.mediaId), "UserData": .string(userData),
                    "ErrorCode": .string(job.failure == nil ? "" : "URLInvalidError"),
                    "ErrorMessage": .string(job.failure ?? ""),
                ]),
            ])
            var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
            if let key = configuration.callbackAuthKey {
                let timestamp = String(Int(now()))
                headers.append(("X-ICE-TIMESTAMP", timestamp))
                headers.append(("X-ICE-SIGNATURE", Digest.hex(Digest.hash(.md5, "\(callback)|\(timestamp)|\(key)"))))
            }
            // VOD's delivery: 3 attempts, 1 s apart, 5 s timeout (ims-api.md §7.2).
            for attempt in 0..<3 {
                if let r = try? await callbackTransport.send(
                    HTTPRequest(
                        method: "POST", url: callback, headers: headers, body: Data(event.canonicalJSON.utf8),
                        timeout: 5)), r.status == 200
                {
                    break
                }
                if attempt < 2 { try? await Task.sleep(nanoseconds: 1_000_000_000) }
            }
        }
    }

    /// Every job ever created, for tests that prove "exactly one upload per source".
    public func introspection() async -> JSONValue {
        await advance()
        var perURL: [String: Int] = [:]
        for job in jobs { perURL[job.uploadURL, default: 0] += 1 }
        let jobList = jobs.map { job -> JSONValue in
            var o = job.json.objectValue ?? [:]
            o["status"] = .string(status(job))
            return .object(o)
        }
        return .object([
            "jobs": .array(jobList), "jobCount": .int(Int64(jobs.count)),
            "duplicates": .object(perURL.filter { $0.value > 1 }.mapValues { .int(Int64($0)) }),
        ])
    }
}
