import Foundation

/// The API's limits (`docs/api-limits.md`), checked before anything is sent.
public enum APILimits {
    public static let titleBytes = 128
    public static let descriptionBytes = 1024
    public static let tagCount = 16
    public static let tagBytes = 32
    public static let coverBytes = 128
    /// VOD's limit on `UserData.Extend`; ICE's own is UNCONFIRMED, so we keep VOD's.
    public static let extendBytes = 512
    /// Bytes of `Extend` kept for mediaform's own marker (`"mediaform":"<operation id>"`), used by apply to find
    /// its jobs after a crash. The user's extend data gets the rest.
    public static let extendMarkerReserve = 96
    /// UNCONFIRMED for UploadMediaByURL; UpdateMediaInfo documents 1024 bytes.
    public static let userDataBytes = 1024
    public static let urlBytes = 2048
    public static let keyBytes = 256
    /// `AddCategory`'s `CateName`: at most 64 bytes.
    public static let categoryNameBytes = 64
    /// Levels of the category tree. UNCONFIRMED for IMS: VOD allows three, so we allow three. IMS's limit on
    /// children per level is UNCONFIRMED as well and not checked here; the API's refusal is reported per category.
    public static let categoryDepth = 3
    /// `GetCategories`' `PageSize` (10–100).
    public static let categoryPageSize = 100

    // MARK: - Items per call

    /// `UploadMediaByURL` takes at most 20 URLs a call (documented).
    public static let uploadURLsPerCall = 20
    /// `GetUrlUploadInfos` takes at most 10 job IDs or URLs a call (documented).
    public static let urlUploadInfosPerCall = 10
    /// `DeleteMediaInfos`' per-call maximum is UNCONFIRMED; 20 is conservative.
    public static let deleteMediaInfosPerCall = 20
    /// `BatchGetMediaInfos`' per-call maximum is UNCONFIRMED; 20 is conservative.
    public static let batchGetMediaInfosPerCall = 20
    /// `ListMediaBasicInfos` returns at most 100 media a page (documented).
    public static let listMediaBasicInfosPerPage = 100

    /// Audio and video extensions IMS registers. Whether URL upload accepts exactly this list
    /// is UNCONFIRMED; it is the best list published.
    public static let videoExtensions: Set<String> = [
        "mp4", "ts", "3gp", "mpg", "mpeg", "mpe", "dat", "vob", "asf", "avi", "wmv", "flv", "f4v", "rm", "rmvb", "mov",
        "mkv", "m3u8", "dv", "gif", "m2t", "m4v", "mj2", "mjpeg", "mts", "ogg", "qt", "swf", "webm",
    ]
    public static let audioExtensions: Set<String> = [
        "mp3", "wma", "wav", "aac", "ra", "m4a", "flac", "ape", "ac3", "amr", "caf", "acm",
    ]
    public static var mediaExtensions: Set<String> { videoExtensions.union(audioExtensions) }

    /// The first emoji in `text`, as the API means it (see `AssetValidator.isEmoji`).
    public static func firstEmoji(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: AssetValidator.isEmoji)
    }

    /// The lower-cased extension of a URL's path, or "".
    public static func pathExtension(of url: String) -> String { AssetValidator.pathExtension(of: url) }
}
