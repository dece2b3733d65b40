import Foundation
import MediaformCore
import MediaformKit

extension EmulatorService {
    // MARK: - Actions (docs/ims-api.md §3–§5)

    func perform(_ action: String, _ p: [String: String]) async throws -> [String: JSONValue] {
        switch action {
        case "UploadMediaByURL": return try upload(p)
        case "RegisterMediaInfo": return try register(p)
        case "GetUrlUploadInfos": return try await urlUploadInfos(p)
        case "GetMediaInfo":
            guard let id = p["MediaId"], !id.isEmpty else { throw APIFault.missing("MediaId") }
            await advance()
            guard let i = index.byMedia[id], !jobs[i].deleted else {
                throw APIFault(code: "MediaNotExist", message: "The specified media does not exist.", status: 404)
            }
            return ["MediaInfo": mediaInfo(jobs[i])]
        case "BatchGetMediaInfos":
            guard let ids = p["MediaIds"], !ids.isEmpty else { throw APIFault.missing("MediaIds") }
            await advance()
            var infos: [JSONValue] = [], ignored: [JSONValue] = []
            for id in ids.split(separator: ",").map(String.init) {
                if let i = index.byMedia[id], !jobs[i].deleted {
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
                guard let i = index.byMedia[id], !jobs[i].deleted else {
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
            let ascending = p["SortBy"]?.lowercased() == "asc"
            let live = jobs.filter { job in
                !job.deleted && p["MediaType"].map { $0 == Self.mediaType(job.uploadURL) } != false
                    && p["Status"].map { $0 == Self.status(job) } != false
                    && p["MediaId"].map { $0 == job.mediaId } != false
            }.sorted { ascending ? $0.created < $1.created : $0.created > $1.created }
            let start = Int(p["NextToken"] ?? "0") ?? 0
            let page = live.dropFirst(start).prefix(max)
            let next = start + page.count < live.count ? String(start + page.count) : ""
            return [
                "MediaInfos": .array(page.map(mediaInfo)), "NextToken": .string(next), "MaxResults": .int(Int64(max)),
                "TotalCount": .int(Int64(live.count)),
            ]
        default:
            if let body = try performCategory(action, p) { return body }
            throw APIFault(
                code: "InvalidAction.NotFound",
                message: "Specified api is not found, please check your url and method.", status: 404)
        }
    }

    func decodeURLList(_ value: String, name: String, limit: Int) throws -> [String] {
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

    func upload(_ p: [String: String]) throws -> [String: JSONValue] {
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

    func checkText(_ text: String, name: String, limit: Int) throws {
        guard text.utf8.count <= limit else { throw APIFault.invalid(name, "It is longer than \(limit) bytes.") }
        if APILimits.firstEmoji(in: text) != nil { throw APIFault.invalid(name, "Emoji are not supported.") }
    }

    func update(_ p: [String: String]) throws -> [String: JSONValue] {
        guard let id = p["MediaId"], !id.isEmpty else { throw APIFault.missing("MediaId") }
        guard let i = index.byMedia[id], !jobs[i].deleted else {
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
        job.modified = now()
        store(job)
        return ["MediaId": .string(id)]
    }

    /// `RegisterMediaInfo`: an object of the caller's own OSS bucket becomes a media at once (no job to wait for).
    /// The same `ClientToken` answers the same media. Registering an `InputURL` again without `Overwrite` is
    /// UNCONFIRMED in IMS: the emulator answers with the media already registered for it.
    func register(_ p: [String: String]) throws -> [String: JSONValue] {
        guard let url = p["InputURL"], !url.isEmpty else { throw APIFault.missing("InputURL") }
        let lower = url.lowercased()
        guard
            lower.hasPrefix("oss://") || (lower.hasPrefix("https://") && lower.contains(".aliyuncs.com/"))
                || lower.hasPrefix("vod://")
        else {
            throw APIFault.invalid("InputURL", "It must be oss://bucket/object, an OSS https URL or vod://id.")
        }
        if let token = p["ClientToken"], let existing = jobs.first(where: { $0.clientToken == token }) {
            return ["MediaId": .string(existing.mediaId)]
        }
        if p["Overwrite"] != "true", let existing = jobs.first(where: { $0.uploadURL == url && !$0.deleted }) {
            return ["MediaId": .string(existing.mediaId)]
        }
        let title = p["Title"] ?? "media-\(Self.iso(now()))"
        try checkText(title, name: "Title", limit: APILimits.titleBytes)
        if let d = p["Description"] { try checkText(d, name: "Description", limit: APILimits.descriptionBytes) }
        let tags = (p["MediaTags"] ?? "").split(separator: ",").map(String.init)
        guard tags.count <= APILimits.tagCount else {
            throw APIFault.invalid("MediaTags", "At most \(APILimits.tagCount) tags are allowed.")
        }
        for tag in tags { try checkText(tag, name: "MediaTags", limit: APILimits.tagBytes) }
        if let userData = p["UserData"], userData.utf8.count > APILimits.userDataBytes {
            throw APIFault.invalid("UserData", "It is longer than \(APILimits.userDataBytes) bytes.")
        }
        var job = EmulatedJob(
            jobId: "register-" + Self.id(), mediaId: Self.id(), uploadURL: url, created: now(), userData: p["UserData"],
            appId: p["AppId"] ?? Project.defaultAppId, title: title, description: p["Description"], tags: tags,
            cateId: p["CateId"].flatMap { Int64($0) }, coverURL: p["CoverURL"])
        job.finished = true
        job.callbackSent = true
        job.clientToken = p["ClientToken"]
        store(job)
        return ["MediaId": .string(job.mediaId)]
    }

    func urlUploadInfos(_ p: [String: String]) async throws -> [String: JSONValue] {
        await advance()
        var infos: [JSONValue] = [], missing: [JSONValue] = []
        if let ids = p["JobIds"], !ids.isEmpty {
            let list = ids.split(separator: ",").map(String.init)
            guard list.count <= 10 else { throw APIFault.invalid("JobIds", "At most 10 job IDs are allowed.") }
            for id in list {
                if let i = index.byJob[id] { infos.append(info(jobs[i])) } else { missing.append(.string(id)) }
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

}
