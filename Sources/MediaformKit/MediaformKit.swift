/// The I/O layer: state store, IMS client, apply engine. Filled by later issues.
public enum MediaformKit {
    /// The version reported by `mediaform --version` and in the User-Agent.
    public static let version = "0.1.0"
}
