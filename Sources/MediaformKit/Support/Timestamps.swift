import Foundation

/// ISO 8601 timestamps in UTC, second precision (`2026-11-25T10:41:00Z`), and the API's time formats.
public enum Timestamps {
    /// The current time as ISO 8601.
    public static let now: @Sendable () -> String = { Date().formatted(.iso8601) }

    /// Parses the time formats the API uses (UNCONFIRMED which, so all of them are accepted):
    /// `2021-11-07T10:03:37Z`, with fractions, and `2021-11-26 21:47:37` (taken as UTC). Returns Unix time.
    public static func parse(_ text: String) -> Double? {
        let normalized =
            text.contains("T") ? text : text.replacingOccurrences(of: " ", with: "T") + (text.hasSuffix("Z") ? "" : "Z")
        if let date = try? Date(normalized, strategy: .iso8601) { return date.timeIntervalSince1970 }
        if let date = try? Date(normalized, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date.timeIntervalSince1970
        }
        return nil
    }
}
