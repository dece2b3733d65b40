import MediaformCore

extension MediaInfo {
    /// The record status a media's `Status` means: `PrepareFail` failed, `Preparing` and `Init` still processing,
    /// anything else (`Normal`, and statuses not documented) ready. The status values are UNCONFIRMED beyond these;
    /// an unknown one is taken as ready rather than retried, so that an import never uploads again.
    public var assetStatus: AssetStatus {
        switch status {
        case "PrepareFail": .failed
        case "Preparing", "Init": .processing
        default: .ready
        }
    }

    /// The values mediaform compares, for drift and adoption.
    public var remote: RemoteMedia {
        RemoteMedia(
            mediaId: mediaId, title: title, description: description, tags: tags, category: cateId, cover: coverURL,
            status: assetStatus, statusText: status, inputURL: inputURL, createTime: createTime, mediaType: mediaType,
            marked: UploadBatching.marker(in: userData) != nil)
    }
}
