/// The keys each YAML mapping accepts. The JSON Schemas in `schemas/` list the same keys; a test keeps them equal.
public enum ManifestKeys {
    /// Top-level keys of `mediaform.yaml`.
    public static let project = [
        "version", "region", "endpoint", "appId", "manifests", "state", "defaults", "limits", "prune", "categories",
    ]
    /// Keys of `state:`.
    public static let state = ["backend", "path", "url", "name", "schema"]
    /// Keys of `limits:`.
    public static let limits = ["requestsPerSecond", "parallelism", "maxDeletes"]
    /// Top-level keys of an asset file.
    public static let manifestFile = ["version", "assets"]
    /// Keys of one asset.
    public static let asset = [
        "key", "source", "title", "description", "tags", "category", "cover", "workflow", "fileExtension",
        "fileSize", "metadata", "entity", "protect", "ignoreChanges", "callback", "extend", "storage", "postProcess",
    ]
    /// Keys of `defaults:`: every asset key except the ones that identify one asset.
    public static let defaults = asset.filter { !["key", "source"].contains($0) }
    /// Keys of `storage:`.
    public static let storage = ["type", "location"]
    /// Keys of `postProcess:`.
    public static let postProcess = ["workflow"]
}
