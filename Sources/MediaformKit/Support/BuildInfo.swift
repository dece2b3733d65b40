/// What the binary was built from. `Scripts/release` stamps the commit here for its build and restores the file;
/// a build from source says nothing.
public enum BuildInfo {
    /// The git commit (short; `-modified` when the tree had changes), or nil.
    public static let commit: String? = nil

    /// `0.1.0 (a1b2c3d4e5f6)`, or `0.1.0` for a build from source: what `mediaform --version` prints.
    public static var versionLine: String { MediaformKit.version + (commit.map { " (\($0))" } ?? "") }
}
