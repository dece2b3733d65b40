import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

/// Malformed project files, manifests, state files, journals and plan files: each must give a located error and
/// exit 1, without crashing, hanging or using unbounded memory. (The 70-odd invalid manifest fixtures of
/// `Tests/Fixtures/invalid` add to these.)
@Suite struct BadInputCorpusTests {
    enum Target { case project, manifest, state, journal, plan }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var target: Target
        var bytes: [UInt8]
        var description: String { name }
    }

    static let project = Array("version: 1\nregion: cn-shanghai\n".utf8)
    static let manifest = Array("assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n".utf8)
    static let validRecord =
        #"{"source":"s","status":"ready","fingerprints":{"upload":"u","mutable":"m"},"fields":{"title":"t"},"createdAt":"c","updatedAt":"u"}"#

    static func yamlCases(_ target: Target, prefix: String) -> [Case] {
        func c(_ name: String, _ text: String) -> Case {
            Case(name: "\(prefix)-\(name)", target: target, bytes: Array(text.utf8))
        }
        var cases = [
            Case(
                name: "\(prefix)-binary-garbage", target: target,
                bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
            Case(
                name: "\(prefix)-truncated-utf8", target: target,
                bytes: Array("version: 1\nregion: cn-sh".utf8) + [0xE5, 0xAD]),
            Case(
                name: "\(prefix)-nul-byte", target: target,
                bytes: Array("version: 1\n".utf8) + [0] + Array("region: x\n".utf8)),
            Case(name: "\(prefix)-utf16-garbage", target: target, bytes: [0xFF, 0xFE, 0x41, 0x00, 0x3A]),
            c("ten-megabyte-line", "title: " + String(repeating: "x", count: 10 << 20) + "\n"),
            c("deep-nesting", String(repeating: "[", count: 100_000)),
            c(
                "deep-block-nesting",
                (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"),
            c(
                "alias-bomb",
                "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
            ),
            c("tabs", "version: 1\n\tregion: cn-shanghai\n"),
            c("duplicate-keys", "version: 1\nversion: 1\nregion: cn-shanghai\nregion: cn-beijing\n"),
            c("huge-number", "version: 99999999999999999999999999999999\nregion: cn-shanghai\n"),
            c("unclosed-flow", "{version: 1, region: [cn-shanghai\n"),
            c("scalar-document", "just a string\n"),
            c("list-document", "- a\n- b\n"),
            c("two-documents", "version: 1\n---\nversion: 2\n"),
            c("bom-crlf-then-garbage", "\u{FEFF}version: 1\r\nregion: : :\r\n"),
            c("unknown-alias", "version: *nope\n"),
            c("complex-key", "? [a, b]\n: c\n"),
        ]
        if target == .project {
            cases += [
                c(
                    "wrong-types-everywhere",
                    "version: []\nregion: {}\nmanifests: 5\nstate: x\nlimits: []\nprune: 3\ndefaults: []\nendpoint: [1]\nappId: {}\n"
                ),
                c("empty", ""),
                c("comment-only", "# nothing here\n"),
            ]
        } else {
            cases += [
                c(
                    "wrong-types-everywhere",
                    "assets:\n  - key: []\n    source: {}\n    title: [a]\n    tags: 5\n    category: x\n    fileSize: -1\n    metadata: 3\n    protect: maybe\n    storage: []\n    postProcess: x\n    extend: [1]\n"
                ),
                c("assets-is-a-string", "assets: everything\n"),
            ]
        }
        return cases
    }

    /// - Parameter number: a `"key":value` number in `valid` to spoil.
    static func jsonCases(_ target: Target, prefix: String, valid: String, number: String) -> [Case] {
        func c(_ name: String, _ text: String) -> Case {
            Case(name: "\(prefix)-\(name)", target: target, bytes: Array(text.utf8))
        }
        return [
            Case(
                name: "\(prefix)-binary-garbage", target: target,
                bytes: (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }),
            c("truncated", String(valid.prefix(valid.count / 2))),
            c("ten-megabyte-line", "{\"x\": \"" + String(repeating: "y", count: 10 << 20)),
            c("deep-nesting", String(repeating: "[", count: 100_000)),
            c("wrong-root", "[1, 2, 3]"),
            c("huge-number", valid.replacingOccurrences(of: number, with: "\"serial\":1e999")),
            c("nan-literal", valid.replacingOccurrences(of: number, with: "\"serial\":NaN")),
            c("trailing-garbage", valid + " }"),
            c("bad-escape", "{\"version\": 1, \"lineage\": \"\\q\"}"),
            c("control-character", "{\"version\": 1, \"lineage\": \"a\u{1}b\"}"),
        ]
    }

    static let validState = #"{"assets":{"a":\#(validRecord)},"lineage":"l","serial":1,"version":1}"#

    static let cases: [Case] = {
        var all = yamlCases(.project, prefix: "project") + yamlCases(.manifest, prefix: "manifest")
        all += jsonCases(.state, prefix: "state", valid: validState, number: "\"serial\":1")
        func state(_ name: String, _ text: String) -> Case {
            Case(name: "state-\(name)", target: .state, bytes: Array(text.utf8))
        }
        all += [
            state("newer-version", validState.replacingOccurrences(of: "\"version\":1", with: "\"version\":7")),
            state("assets-is-a-list", #"{"assets":[],"lineage":"l","serial":1,"version":1}"#),
            state("record-missing-fields", #"{"assets":{"a":{"source":"s"}},"lineage":"l","serial":1,"version":1}"#),
            state("unknown-status", validState.replacingOccurrences(of: "\"ready\"", with: "\"gone\"")),
            state("serial-is-a-string", validState.replacingOccurrences(of: "\"serial\":1", with: "\"serial\":\"1\"")),
            state("empty", ""),
        ]
        func journal(_ name: String, _ text: String) -> Case {
            Case(name: "journal-\(name)", target: .journal, bytes: Array(text.utf8))
        }
        let intent = #"{"id":"i","keys":["a"],"operation":"upload","seq":1,"time":"t","type":"intent"}"#
        all += [
            journal(
                "garbage-middle-line",
                intent + "\n@@@@\n" + intent.replacingOccurrences(of: "\"seq\":1", with: "\"seq\":2") + "\n"),
            journal("unknown-type", #"{"seq":1,"time":"t","type":"explode"}"# + "\n"),
            journal(
                "sequence-backwards",
                intent.replacingOccurrences(of: "\"seq\":1", with: "\"seq\":5") + "\n" + intent + "\n"),
            journal("put-without-record", #"{"key":"a","seq":1,"time":"t","type":"put"}"# + "\n"),
            journal("wrong-types", #"{"seq":"one","time":3,"type":"done","id":[]}"# + "\n"),
            Case(name: "journal-binary", target: .journal, bytes: [0xFF, 0xFE, 0x00, 0x0A, 0x80, 0x0A]),
        ]
        let validPlan =
            #"{"kind":"mediaform-plan","format_version":"1.0","created":"c","manifest_digest":"d","plan":{"format_version":"1.0","state":{"lineage":"","serial":0},"changes":[]}}"#
        all += jsonCases(.plan, prefix: "plan", valid: validPlan, number: "\"serial\":0")
        func plan(_ name: String, _ text: String) -> Case {
            Case(name: "plan-\(name)", target: .plan, bytes: Array(text.utf8))
        }
        all += [
            plan(
                "newer-format",
                validPlan.replacingOccurrences(
                    of: "\"format_version\":\"1.0\",\"created\"", with: "\"format_version\":\"9.0\",\"created\"")),
            plan(
                "unknown-action",
                validPlan.replacingOccurrences(
                    of: "\"changes\":[]", with: #""changes":[{"key":"a","action":"explode","reason":"r"}]"#)),
            plan("missing-digest", validPlan.replacingOccurrences(of: "\"manifest_digest\":\"d\",", with: "")),
        ]
        return all
    }()

    @Test func corpusIsLargeEnough() {
        #expect(Self.cases.count >= 60)
    }

    @Test(arguments: cases)
    func malformedInputIsALocatedErrorNotACrash(_ c: Case) async throws {
        let dir = try Fixtures.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent(".mediaform"), withIntermediateDirectories: true)
        func write(_ bytes: [UInt8], _ path: String) throws {
            try Data(bytes).write(to: dir.appendingPathComponent(path))
        }
        try write(c.target == .project ? c.bytes : Self.project, "mediaform.yaml")
        try write(c.target == .manifest ? c.bytes : Self.manifest, "assets/a.yaml")
        if c.target == .state { try write(c.bytes, "mediaform.state.json") }
        if c.target == .journal { try write(c.bytes, ".mediaform/mediaform.state.json.journal") }
        var arguments = ["plan", dir.path]
        if c.target == .plan {
            try write(c.bytes, "saved.plan")
            arguments = ["show", dir.appendingPathComponent("saved.plan").path]
        }
        // Peak memory comes from /usr/bin/time; the process must end by itself well within the test's patience.
        let start = Date()
        let result = try await CommandRunner.runMeasured(arguments)
        #expect(Date().timeIntervalSince(start) < 20, "\(c.name) took too long")
        #expect(result.status == 1, "\(c.name): exit \(result.status)\n\(result.stderr.prefix(500))")
        #expect(result.peakKiB < 600 * 1024, "\(c.name): \(result.peakKiB) KiB")
        // Located: `file:LINE:COL:` for text files, `file:LINE:COL` or a JSON path for ours.
        let located =
            result.stderr.range(of: #"[^\s:]+:\d+:\d+"#, options: .regularExpression) != nil
            || result.stderr.range(
                of: #"[^\s:]+:(seq \d+|line \d+|[A-Za-z_][\w.\[\]"]*):"#, options: .regularExpression) != nil
        #expect(located, "\(c.name): \(result.stderr.prefix(500))")
        if c.target == .plan {
            let applied = try await CommandRunner.runMeasured(["apply", dir.appendingPathComponent("saved.plan").path])
            #expect(applied.status == 1, "\(c.name) (apply): exit \(applied.status)")
        }
    }
}
