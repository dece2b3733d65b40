import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// The apply end report, the JSON progress events and the state as `show` prints it, against golden files.
@Suite struct RenderingGoldenTests {
    private func golden(_ text: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let mismatch = Snapshot.mismatch(text, golden: Fixtures.path("golden/\(name)"))
        #expect(mismatch == nil, "\(mismatch ?? "")", sourceLocation: sourceLocation)
    }

    /// A state with one asset in every status, a protected one and a recorded error.
    private static func state() -> State {
        let assets = ["intro", "lesson/1", "lesson/2", "podcast", "trailer"].map { Builders.asset($0) }
        var state = Builders.state(assets)
        state.assets["lesson/1"]?.status = .submitted
        state.assets["lesson/2"]?.status = .processing
        state.assets["podcast"]?.status = .failed
        state.assets["podcast"]?.mediaId = nil
        state.assets["podcast"]?.lastError = RecordedError(code: "URLInvalidError", message: "download failed: 404")
        state.assets["trailer"]?.protect = true
        return state
    }

    @Test func applyReportGolden() {
        var report = ApplyReport()
        report.submitted = 40
        report.updated = 3
        report.moved = 2
        report.deleted = 2
        report.forgotten = 1
        report.adopted = 4
        report.unresolved = 1
        report.failures = [
            AssetFailure(key: "podcast", code: "URLInvalidError", message: "download failed: 404"),
            AssetFailure(key: "a/b", code: "Throttling.User", message: "Request was denied due to user flow control."),
        ]
        var statistics = ClientStatistics()
        statistics.requests = 61
        statistics.retries = 5
        statistics.throttled = 4
        statistics.serverErrors = 1
        var text = ApplyReportRenderer.summary(report, state: Self.state(), waited: false, calls: statistics)
        report.interrupted = true
        text += "---\n" + ApplyReportRenderer.summary(report, state: Self.state(), waited: true, calls: nil)
        golden(text, "apply-report.txt")
    }

    @Test func progressEventsGolden() {
        let events: [ApplyEvent] = [
            .submitted(key: "intro", jobId: "job-1", mediaId: "media-1"),
            .submitted(key: "lesson/1", jobId: "job-2", mediaId: nil),
            .registered(key: "archive/keynote", mediaId: "media-3"),
            .updated(key: "lesson/2"),
            .moved(from: "lesson/old-name", to: "lesson/3"),
            .deleted(key: "old"),
            .forgotten(key: "never-uploaded"),
            .failed(key: "podcast", code: "URLInvalidError", message: "download failed: \"404\""),
            .jobEnded(key: "intro", status: .ready, code: nil, message: nil),
            .jobEnded(key: "podcast", status: .failed, code: "URLInvalidError", message: "404"),
            .adopted(key: "trailer", jobId: "job-9"),
            .category(path: "Courses/Swift", action: "created", id: 1001),
            .note("resolving 1 call(s) left open by an interrupted apply"),
        ]
        golden(events.map { $0.json.canonicalJSON + "\n" }.joined(), "progress-events.jsonl")
    }

    @Test(arguments: OutputFormat.allCases)
    func stateShowGolden(_ format: OutputFormat) {
        golden(StateRenderer.render(Self.state(), exists: true, format: format), "state-show.\(format.rawValue)")
    }

    @Test func noStateYet() {
        #expect(
            StateRenderer.render(State(lineage: "", generator: "test"), exists: false, format: .text)
                == "No state yet: nothing has been applied.\n")
    }
}
