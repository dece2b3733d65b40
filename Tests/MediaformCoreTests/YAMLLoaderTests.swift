import Foundation
import MediaformCore
import Testing

@Suite struct YAMLLoaderTests {
    private func load(_ text: String) -> YAMLLoadResult { YAMLLoader.load(text, file: "t.yaml") }

    private func value(_ node: YAMLNode?, _ key: String) -> YAMLNode? {
        node?.mapping?.first { $0.key.scalar?.text == key }?.value
    }

    @Test func plainScalarsResolveWithTheYAML12CoreSchema() {
        let cases: [(String, YAMLResolvedScalar)] = [
            ("no", .string("no")), ("on", .string("on")), ("yes", .string("yes")), ("off", .string("off")),
            ("1.10", .float(1.1)), ("2024-01-01", .string("2024-01-01")), ("true", .bool(true)),
            ("False", .bool(false)), ("~", .null), ("", .null), ("null", .null), ("42", .int(42)), ("-7", .int(-7)),
            ("0x1F", .int(31)), ("0o17", .int(15)), ("012", .int(12)), ("1e3", .float(1000)), (".5", .float(0.5)),
            ("1_000", .string("1_000")), ("0b101", .string("0b101")), ("+.inf", .float(.infinity)),
            ("99999999999999999999", .float(1e20)), ("12:30", .string("12:30")),
            // Integers at the edges of 64 bits, read on their bytes; one past them is a float.
            ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)), ("+12", .int(12)),
            ("9223372036854775808", .float(9223372036854775808)), ("-", .string("-")), ("+", .string("+")),
            ("-0", .int(0)), ("1-2", .string("1-2")), ("NULL", .null), ("Nul", .string("Nul")),
        ]
        for (text, expected) in cases {
            #expect(YAMLScalar(text: text).resolved == expected, "plain '\(text)'")
        }
    }

    /// `isNull` (checked for every string value) agrees with `resolved` whatever the style and tag.
    @Test func isNullAgreesWithResolution() {
        let texts = ["", "~", "null", "Null", "NULL", "nULL", "nil", "none", "~~", "x", "0", "n u l l"]
        let tags: [String?] = [nil, "tag:yaml.org,2002:null", "tag:yaml.org,2002:str", "!", "tag:yaml.org,2002:int"]
        let styles: [YAMLScalar.Style] = [.plain, .singleQuoted, .doubleQuoted, .literal]
        for text in texts {
            for tag in tags {
                for style in styles {
                    let scalar = YAMLScalar(text: text, style: style, tag: tag)
                    #expect(scalar.isNull == (scalar.resolved == .null), "'\(text)' \(style) \(tag ?? "untagged")")
                }
            }
        }
    }

    @Test func stringsKeepTheirTextExactlyAsWritten() {
        let result = load("a: 1.10\nb: no\nc: 2024-01-01\nd: '007'\ne: !!str 12\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "a")?.scalar?.text == "1.10")
        #expect(value(result.root, "b")?.scalar?.text == "no")
        #expect(value(result.root, "d")?.scalar?.resolved == .string("007"))
        #expect(value(result.root, "e")?.scalar?.resolved == .string("12"))
    }

    @Test func flowAndBlockStylesAndUnicode() {
        let text = """
            list: [a, "b c", {k: v}]
            map: {x: 1, y: [2, 3]}
            literal: |
              line one
              line two
            folded: >-
              folded
              text
            unicode: "季度回顾 \\u00e9"
            """
        let result = load(text)
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "list")?.sequence?.count == 3)
        #expect(value(result.root, "literal")?.scalar?.text == "line one\nline two\n")
        #expect(value(result.root, "folded")?.scalar?.text == "folded text")
        #expect(value(result.root, "unicode")?.scalar?.text == "季度回顾 é")
        #expect(value(result.root, "map")?.mark == YAMLMark(line: 2, column: 6))
    }

    @Test func columnsCountCharactersNotBytes() {
        let result = load("季度: [x, y]\n")
        let list = value(result.root, "季度")
        #expect(list?.mark == YAMLMark(line: 1, column: 5))
        #expect(list?.sequence?[1].mark == YAMLMark(line: 1, column: 9))
    }

    @Test func anchorsAndAliasesAreExpanded() {
        let result = load("base: &b [x, y]\ncopy: *b\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "copy")?.sequence?.map { $0.scalar?.text } == ["x", "y"])
        #expect(value(result.root, "copy")?.mark == YAMLMark(line: 2, column: 7))
    }

    @Test func mergeKeysLetExplicitKeysWin() {
        let text = """
            one: &one {a: 1, b: 1}
            two: &two {b: 2, c: 2}
            m:
              <<: [*one, *two]
              a: 0
            """
        let result = load(text)
        #expect(result.diagnostics.isEmpty)
        let m = value(result.root, "m")?.mapping.map(Array.init) ?? []
        let pairs = Dictionary(uniqueKeysWithValues: m.map { ($0.key.scalar?.text ?? "", $0.value.scalar?.text ?? "") })
        #expect(pairs == ["a": "0", "b": "1", "c": "2"])
    }

    @Test func duplicateKeysAreLocatedErrors() {
        let result = load("a: 1\nb: 2\na: 3\n")
        #expect(
            result.diagnostics.map(\.description) == [
                "t.yaml:3:1: error: duplicate key 'a' (first defined at line 1, column 1)"
            ])
        #expect(value(result.root, "a")?.scalar?.text == "1")
    }

    @Test func aliasBombIsRefused() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (i, name) in ["b", "c", "d", "e", "f", "g"].enumerated() {
            let previous = i == 0 ? "a" : ["b", "c", "d", "e", "f"][i - 1]
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let result = load(text)
        #expect(result.root == nil)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.message.contains("alias bomb") == true)
    }

    @Test func secondDocumentIsRefused() {
        let result = load("a: 1\n---\nb: 2\n")
        #expect(
            result.diagnostics.map(\.description) == [
                "t.yaml:2:1: error: this file holds more than one YAML document; put each in its own file"
            ])
    }

    @Test func byteOrderMarkAndCRLFAreAccepted() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: two\r\n".utf8)
        let result = YAMLLoader.load(bytes, file: "t.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "b")?.scalar?.text == "two")
        #expect(value(result.root, "b")?.mark == YAMLMark(line: 2, column: 4))
    }

    @Test func tabsInIndentationAreLocatedSyntaxErrors() {
        let result = load("a:\n\t- x\n")
        #expect(result.root == nil)
        #expect(result.diagnostics.first?.location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        #expect(result.diagnostics.first?.message.contains("tabs") == true)
    }

    @Test func syntaxErrorsAreLocated() {
        let result = load("a: [1, 2\nb: 3\n")
        #expect(result.root == nil)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.location?.line == 2)
    }

    @Test func invalidUTF8IsALocatedError() {
        let result = YAMLLoader.load(Array("a: caf".utf8) + [0xC3, 0x0A], file: "t.yaml")
        #expect(result.root == nil)
        #expect(result.diagnostics.first?.location?.line == 1)
    }

    @Test func deepNestingIsRefused() {
        let result = load(String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        #expect(result.root == nil)
        #expect(result.diagnostics.first?.message.contains("deeper than") == true)
    }

    @Test func aliasesReportTheirOwnPositionAndMergeSourcesMayBeAliases() {
        let result = load("x: &x {a: 1}\ny:\n  <<: *x\n  b: 2\nz: *x\n")
        #expect(result.diagnostics.isEmpty)
        #expect(value(result.root, "z")?.mark == YAMLMark(line: 5, column: 4))
        #expect(value(value(result.root, "z"), "a")?.scalar?.text == "1")
        #expect(value(result.root, "y")?.mapping?.count == 2)
    }

    @Test func largeMappingsStillFindDuplicateKeys() {
        var text = ""
        for i in 0..<40 { text += "k\(i): \(i)\n" }
        text += "k7: again\n"
        let result = load(text)
        #expect(
            result.diagnostics.map(\.description) == [
                "t.yaml:41:1: error: duplicate key 'k7' (first defined at line 8, column 1)"
            ])
        #expect(result.root?.mapping?.count == 40)
    }

    @Test func emptyInputHasNoRoot() {
        #expect(load("").root == nil)
        #expect(load("# only a comment\n").diagnostics.isEmpty)
    }
}
