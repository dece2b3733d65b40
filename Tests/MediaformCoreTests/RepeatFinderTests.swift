import MediaformTestSupport
import Testing

@testable import MediaformCore

/// `RepeatFinder` (the cross-file checks' duplicate search) against the obvious quadratic search, including hashes
/// that collide for unequal values, and the byte check the plan text uses for URLs.
@Suite struct RepeatFinderTests {
    /// Every later item equal to an earlier one, with the first such earlier item: what `repeats` must return.
    static func naive(_ values: [String]) -> [[Int]] {
        values.indices.compactMap { i in values[..<i].firstIndex(of: values[i]).map { [i, $0] } }
    }

    static func found(_ values: [String], hash: (String) -> Int) -> [[Int]] {
        RepeatFinder.repeats(hashes: values.map(hash)) { values[$0] == values[$1] }.map { [$0.index, $0.first] }
    }

    @Test func findsEachRepeatWithItsFirstOccurrence() {
        let values = ["a", "b", "a", "c", "b", "a", "d", "c"]
        #expect(Self.found(values, hash: \.hashValue) == [[2, 0], [4, 1], [5, 0], [7, 3]])
        #expect(Self.found(values, hash: \.hashValue) == Self.naive(values))
    }

    /// All hashes equal, or a few buckets for many values: probing must compare values, never trust a hash.
    @Test func collidingHashesAreConfirmedByTheValues() {
        let values = (0..<300).map { "v\($0 % 97)" } + ["x", "y", "x"]
        #expect(Self.found(values, hash: { _ in 42 }) == Self.naive(values))
        #expect(Self.found(values, hash: { $0.utf8.count }) == Self.naive(values))
        #expect(Self.found(values, hash: { -$0.hashValue }) == Self.naive(values))
        #expect(Self.found(values, hash: \.hashValue).count == 300 - 97 + 1)
    }

    @Test func noItemsOrNoRepeats() {
        #expect(Self.found([], hash: \.hashValue).isEmpty)
        #expect(Self.found(["a", "b", "c"], hash: { _ in 0 }).isEmpty)
    }

    /// Canonically equivalent keys are one key, as `String` compares them (and as a `Dictionary` found them).
    @Test func canonicallyEquivalentStringsRepeat() {
        let values = ["caf\u{E9}", "cafe\u{301}"]
        #expect(Self.found(values, hash: \.hashValue) == [[1, 0]])
    }

    @Test func httpSchemeIsRecognisedOnBytes() {
        for url in ["http://a", "https://a", "http://", "https://"] {
            #expect(PlanRenderer.startsWithHTTPScheme(url), "\(url)")
        }
        for text in [
            "", "h", "http", "http:/x", "https:/", "httpx://a", "HTTP://a", "ftp://a", " http://a", "https:x//",
        ] {
            #expect(!PlanRenderer.startsWithHTTPScheme(text), "\(text)")
        }
        // A value that is not a URL is shown quoted; one that is, as it is.
        #expect(PlanRenderer.display(.string("https://x/y")) == "https://x/y")
        #expect(PlanRenderer.display(.string("httpx://y")) == "\"httpx://y\"")
    }
}
