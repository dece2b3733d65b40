/// What the library holds for one media, reduced to what mediaform compares. The client builds it from
/// `BatchGetMediaInfos` or `ListMediaBasicInfos` answers; Core never calls the API.
public struct RemoteMedia: Sendable, Equatable {
    public var mediaId: String
    /// Nil when the answer had none (then the title is not compared).
    public var title: String?
    /// Nil or empty when the media has none.
    public var description: String?
    public var tags: [String]
    /// Nil when the answer has no `CateId`: `BatchGetMediaInfos`' basic info may lack it (docs/ims-api.md §5.2,
    /// UNCONFIRMED), so a missing category means "not known", never "cleared".
    public var category: Int64?
    /// Without its signed query (answers carry a freshly signed cover URL every time).
    public var cover: String?
    /// The media's status as a record status: `failed` for `PrepareFail`, `processing` for `Preparing`/`Init`,
    /// `ready` otherwise.
    public var status: AssetStatus
    /// `MediaBasicInfo.Status` as the API wrote it.
    public var statusText: String?
    /// The URL it was uploaded from, as submitted (with any signed query): matched to manifest sources.
    public var inputURL: String?
    /// `MediaBasicInfo.CreateTime`, for choosing the newest of duplicates.
    public var createTime: String?
    /// `MediaBasicInfo.MediaType` (`video`, `audio`, …).
    public var mediaType: String?
    /// Uploaded by mediaform: its `UserData.Extend` carries mediaform's marker.
    public var marked: Bool

    public init(
        mediaId: String, title: String? = nil, description: String? = nil, tags: [String] = [],
        category: Int64? = nil, cover: String? = nil, status: AssetStatus = .ready, statusText: String? = nil,
        inputURL: String? = nil, createTime: String? = nil, mediaType: String? = nil, marked: Bool = false
    ) {
        self.mediaId = mediaId
        self.title = title
        self.description = description
        self.tags = tags
        self.category = category
        self.cover = cover.map(URLRedaction.redact)
        self.status = status
        self.statusText = statusText
        self.inputURL = inputURL
        self.createTime = createTime
        self.mediaType = mediaType
        self.marked = marked
    }
}

/// What a read of the library found for one recorded media.
public enum MediaObservation: Sendable, Equatable {
    /// The media exists, with these values.
    case present(RemoteMedia)
    /// The media does not exist any more (`IgnoredList`, or not found).
    case gone
}
