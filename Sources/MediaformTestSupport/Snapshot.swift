import Foundation

/// Golden files: compare output with a committed file; `RECORD_SNAPSHOTS=1` rewrites the file and reports a
/// mismatch anyway, so that a recording run can never pass CI by accident.
public enum Snapshot {
    /// True when the environment asks to re-record golden files.
    public static var isRecording: Bool {
        ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false
    }

    /// Nil when `actual` equals the golden file at `path`; otherwise a message saying how to see or re-record it.
    public static func mismatch(_ actual: String, golden path: String) -> String? {
        let expected = try? String(contentsOfFile: path, encoding: .utf8)
        if isRecording {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            return expected == actual ? nil : "recorded \(path); run the tests again without RECORD_SNAPSHOTS"
        }
        guard let expected else {
            return "no golden file \(path); run with RECORD_SNAPSHOTS=1 to record it, then review it"
        }
        guard expected != actual else { return nil }
        return """
            output differs from \(path) (re-record with RECORD_SNAPSHOTS=1 after checking the change)
            --- expected
            \(expected)
            --- actual
            \(actual)
            """
    }
}
