/// The I/O layer: project loading, state backends, the IMS client, the apply engine and the operations the
/// commands call (`ApplyRun`, `RefreshRun`, `MediaImport`, `StateEdit`).
public enum MediaformKit {
    /// The version reported by `mediaform --version` and in the User-Agent.
    public static let version = "0.1.0"

    /// Written into saved plans and states: `mediaform 0.1.0`. A saved plan by another generator is refused.
    public static let generator = "mediaform \(version)"
}
