import ArgumentParser
import Foundation
import MediaformKit

/// A duration on the command line: `90`, `90s`, `1.5m`, `2h`, `500ms`.
///
/// A wrapper rather than a retroactive `ExpressibleByArgument` conformance on `Duration`, which a future
/// ArgumentParser release could declare itself.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var text = argument.trimmingCharacters(in: .whitespaces)
        var factor = 1.0
        for (suffix, f) in units where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            factor = f
            break
        }
        guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
        self.duration = .milliseconds(Int64((value * factor * 1000).rounded()))
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// `0s`, `500ms`, `30m`, `2h`: the shortest exact spelling, as `--help` shows defaults.
    var defaultValueDescription: String {
        let milliseconds = Int64((seconds * 1000).rounded())
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        let whole = milliseconds / 1000
        if whole != 0 && whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole != 0 && whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    /// The duration in seconds.
    var seconds: Double { duration.seconds }
}
