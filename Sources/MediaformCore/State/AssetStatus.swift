import Foundation

/// The lifecycle of an asset's upload job.
public enum AssetStatus: String, Sendable, Equatable, CaseIterable {
    /// UploadMediaByURL accepted the URL; the job has not been seen running yet.
    case submitted
    /// The job is running.
    case processing
    /// The media exists and the job ended successfully.
    case ready
    /// The job ended in failure; the next apply retries it.
    case failed
    /// The media was deleted outside mediaform (a refresh found it gone from the library): the next apply uploads
    /// it again, unless the asset is protected.
    case missing

    /// Submitted or processing: a job that has not ended.
    public var isRunning: Bool { self == .submitted || self == .processing }
}
