import Foundation
import MediaformCore
import MediaformKit

extension EmulatorService {
    // MARK: - Lifecycle

    func status(_ job: EmulatedJob) -> String {
        if job.finished { return job.failure == nil ? "SUCCESS" : "UPLOAD_FAIL" }
        return now() - job.created < configuration.processDelay / 2 ? "PENDING" : "PROCESSING"
    }

    static func iso(_ t: Double) -> String { Date(timeIntervalSince1970: t).formatted(.iso8601) }

    func info(_ job: EmulatedJob) -> JSONValue {
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

    func mediaInfo(_ job: EmulatedJob) -> JSONValue {
        var basic: [String: JSONValue] = [
            "MediaId": .string(job.mediaId), "InputURL": .string(job.uploadURL),
            "MediaType": .string(Self.mediaType(job.uploadURL)),
            "Title": .string(job.title), "MediaTags": .string(job.tags.joined(separator: ",")),
            "Source": .string("vod"),
            "Status": .string(Self.status(job)),
            "CreateTime": .string(Self.iso(job.created)), "BusinessType": .string("general"),
            "ModifiedTime": .string(Self.iso(job.modified ?? job.created)),
        ]
        if let d = job.description { basic["Description"] = .string(d) }
        if let c = job.cateId { basic["CateId"] = .int(c) }
        if let cover = job.coverURL { basic["CoverURL"] = .string(cover) }
        if let userData = job.userData { basic["UserData"] = .string(userData) }
        return .object(["MediaId": .string(job.mediaId), "MediaBasicInfo": .object(basic), "FileInfoList": .array([])])
    }

    /// `MediaBasicInfo.Status`: `Preparing` while the job runs, then `Normal` or `PrepareFail`.
    static func status(_ job: EmulatedJob) -> String {
        job.finished ? (job.failure == nil ? "Normal" : "PrepareFail") : "Preparing"
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
    func sourceReachable(_ url: String) async -> Bool {
        let host =
            url.split(separator: "/").dropFirst(1).first.map { $0.split(separator: ":").first.map(String.init) ?? "" }
            ?? ""
        guard host == "127.0.0.1" || host == "localhost" else { return true }
        let response = try? await callbackTransport.send(HTTPRequest(method: "GET", url: url, headers: [], timeout: 5))
        return response.map { (200..<300).contains($0.status) } ?? false
    }

    /// Posts `UploadByURLComplete` events for finished jobs whose `UserData` names a callback (docs/ims-api.md §7).
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
            // VOD's delivery: 3 attempts, 1 s apart, 5 s timeout (docs/ims-api.md §7.2).
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
