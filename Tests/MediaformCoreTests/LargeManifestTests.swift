import MediaformCore
import MediaformTestSupport
import Testing

/// One file of many assets (a catalogue exported in one piece) is decoded and validated in chunks on every core,
/// and a large plan is decided the same way: the results must be those of one pass, in order.
@Suite struct LargeManifestTests {
    /// `count` assets; item `bad` has no source and item `odd` an unknown key.
    private func file(_ count: Int, bad: Int, odd: Int) -> String {
        var text = "assets:\n"
        for i in 0..<count {
            text += "  - key: clip/\(i)\n"
            if i != bad { text += "    source: https://media.example.com/\(i).mp4\n" }
            text += "    title: Clip \(i)\n"
            if i == odd { text += "    colour: red\n" }
        }
        return text
    }

    @Test func aFileOfManyAssetsDecodesInOrderWithEveryDiagnosticLocated() {
        let count = 20_000, bad = 15_001, odd = 3
        let parsed = ManifestParser.parseAssets(file(count, bad: bad, odd: odd), file: "big.yaml", defaults: nil)
        #expect(parsed.assets.count == count - 1)
        #expect(parsed.assets.map(\.key) == (0..<count).filter { $0 != bad }.map { "clip/\($0)" })
        // Each item takes three lines after the first; the odd one a fourth.
        let lines = Dictionary(grouping: parsed.diagnostics, by: { $0.location?.line ?? 0 })
        #expect(parsed.diagnostics.count == 2, "\(parsed.diagnostics)")
        #expect(lines[2 + 3 * odd + 3] != nil, "the unknown key, in the first chunk")
        #expect(
            lines.keys.contains { $0 > 2 + 3 * bad && $0 <= 2 + 3 * bad + 4 }, "the missing source, in a later chunk")
    }

    @Test func aLargePlanIsTheSameAsItsPartsPlannedAlone() {
        let assets = (0..<10_000).map { Builders.asset("k/\($0)", title: $0 % 3 == 0 ? "changed" : nil) }
        var state = Builders.state(assets.map { Builders.asset($0.key) })
        state.assets["k/5"] = nil
        let whole = Planner.plan(project: Builders.project(), assets: assets, state: state, prune: false)
        #expect(whole.changes.count == 10_000)
        for part in [0..<10, 4090..<4100, 9990..<10_000] {
            let alone = Planner.plan(
                project: Builders.project(), assets: Array(assets[part]),
                state: State(
                    lineage: "", generator: "",
                    assets: state.assets.filter { key, _ in
                        assets[part].contains { $0.key == key }
                    }), prune: false)
            for change in alone.changes {
                #expect(whole.changes.first { $0.key == change.key } == change, "\(change.key)")
            }
        }
    }
}
