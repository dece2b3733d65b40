import Foundation
import MediaformCore
import MediaformKit

/// An upload job and the media it creates.
struct EmulatedJob: Sendable, Equatable {
    var jobId: String
    var mediaId: String
    /// The URL as submitted in `UploadURLs`, decoded once.
    var uploadURL: String
    var created: Double
    /// When the media info was last edited (`UpdateMediaInfo`); nil until then.
    var modified: Double?
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
    /// For a media registered with `RegisterMediaInfo`: its `ClientToken` (a repeat returns this media).
    var clientToken: String? = nil

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "jobId": .string(jobId), "mediaId": .string(mediaId), "uploadURL": .string(uploadURL),
            "created": .double(created),
            "appId": .string(appId), "title": .string(title), "tags": .array(tags.map(JSONValue.string)),
            "finished": .bool(finished), "deleted": .bool(deleted), "callbackSent": .bool(callbackSent),
        ]
        if let userData { o["userData"] = .string(userData) }
        if let modified { o["modified"] = .double(modified) }
        if let description { o["description"] = .string(description) }
        if let cateId { o["cateId"] = .int(cateId) }
        if let coverURL { o["coverURL"] = .string(coverURL) }
        if let failure { o["failure"] = .string(failure) }
        if let clientToken { o["clientToken"] = .string(clientToken) }
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
        if case .double(let d)? = v["modified"] {
            modified = d
        } else {
            modified = v["modified"]?.intValue.map(Double.init)
        }
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
        clientToken = v["clientToken"]?.stringValue
    }

    init(
        jobId: String, mediaId: String, uploadURL: String, created: Double, userData: String?, appId: String,
        title: String, description: String?, tags: [String], cateId: Int64?, coverURL: String?
    ) {
        self.jobId = jobId
        self.mediaId = mediaId
        self.uploadURL = uploadURL
        self.created = created
        self.modified = nil
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
