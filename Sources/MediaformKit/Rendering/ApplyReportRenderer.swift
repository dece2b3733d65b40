import MediaformCore

/// The end report of `apply`, as text.
public enum ApplyReportRenderer {
    /// The report after the changes were applied (and, with `waited`, the jobs tracked).
    public static func summary(_ report: ApplyReport, state: State, waited: Bool, calls: ClientStatistics? = nil)
        -> String
    {
        var out = report.interrupted ? "\nApply interrupted: " : "\nApply complete: "
        out += "\(report.submitted) submitted, \(report.updated) updated, \(report.deleted + report.forgotten) deleted"
        if report.moved > 0 { out += ", \(report.moved) moved to a new key" }
        if report.adopted > 0 { out += ", \(report.adopted) adopted from an interrupted run" }
        if report.categoriesChanged > 0 {
            out +=
                ", \(report.categoriesChanged) categor\(report.categoriesChanged == 1 ? "y" : "ies") created, renamed or deleted"
        }
        out += ". State serial \(state.serial).\n"
        if let calls, calls.retries > 0 || calls.resigned > 0 {
            out +=
                "API calls: \(calls.requests), retried \(calls.retries) (throttled \(calls.throttled), server errors \(calls.serverErrors)).\n"
        }
        let running = state.assets.values.filter(\.status.isRunning).count
        if waited {
            out +=
                running == 0
                ? "Every job has ended.\n"
                : "\(running) job(s) still running; 'mediaform refresh' picks them up later.\n"
        } else if running > 0 {
            out += "\(running) job(s) running; 'mediaform apply --wait' or 'mediaform refresh' tracks them.\n"
        }
        if report.unresolved > 0 {
            out +=
                "\(report.unresolved) call(s) could not be resolved; the next apply looks them up before sending anything.\n"
        }
        if !report.failures.isEmpty {
            out += "\n\(report.failures.count) asset\(report.failures.count == 1 ? "" : "s") failed:\n"
            for f in report.failures.sorted(by: { $0.key < $1.key }) {
                out += "  \(f.key): \(f.code): \(f.message)\n"
            }
        }
        return out
    }
}
