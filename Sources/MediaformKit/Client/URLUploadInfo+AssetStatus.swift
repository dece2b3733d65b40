import MediaformCore

extension URLUploadInfo {
    /// The record status a job's outcome means.
    var assetStatus: AssetStatus {
        switch outcome {
        case .succeeded: .ready
        case .failed: .failed
        case .running: .processing
        }
    }

    /// The error to record for a failed job: its error code, or its status when it has none.
    var recordedError: RecordedError {
        RecordedError(code: errorCode.flatMap { $0.isEmpty ? nil : $0 } ?? status, message: errorMessage ?? "")
    }
}
