import Foundation

/// Identifies the CI run a process belongs to, from the variables the common CI systems set.
public enum CIRun {
    public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"),
            let run = value("GITHUB_RUN_ID")
        {
            return "\(server)/\(repository)/actions/runs/\(run)"
        }
        for name in ["CI_JOB_URL", "BUILD_URL", "CIRCLE_BUILD_URL", "BUILDKITE_BUILD_URL"] {
            if let url = value(name) { return url }
        }
        return value("MEDIAFORM_CI_RUN")
    }
}
