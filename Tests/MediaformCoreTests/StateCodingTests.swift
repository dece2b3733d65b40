import Foundation
import MediaformTestSupport
import Testing

@testable import MediaformCore

@Suite struct StateCodingTests {
    @Test func roundTripsAndWritesTheHeaderFirstThenSortedPrettyJSONWithATrailingNewline() throws {
        var state = Builders.state([
            Builders.asset("b", tags: ["t1", "t2"], category: 3), Builders.asset("a", protect: true),
        ])
        state.assets["b"]?.lastError = RecordedError(code: "E", message: "m \"quoted\"")
        let text = state.fileText
        #expect(text.hasSuffix("}\n"))
        #expect(text.hasPrefix("{\n  \"version\": 2,\n  \"lineage\": "))
        #expect(text.contains("\n  \"uploadDefaults\": {\n    \"appId\": \"app-1000000\"\n  },\n  \"assets\": {\n"))
        // A record a line, its fingerprints and shared upload inputs left out: both are recomputed when read.
        #expect(
            text.contains("\n    \"a\": {\"createdAt\":\"2026-01-01T00:00:00Z\",\"fields\":{\"title\":\"Title of a\"},")
        )
        #expect(text.contains("\"tags\":[\"t1\",\"t2\"]"))
        #expect(!text.contains("fingerprints") && !text.contains("uploadInputs"))
        #expect(try State.decode(text, file: "s.json") == state)
        #expect(try State.decode(text, file: "s.json").fileText == text)
        // `show --format json` writes every record out in full, and reads back as the same state too.
        #expect(try State.decode(state.json.prettyJSON, file: "s.json") == state)
    }

    /// A format 1 file (as the previous mediaform wrote it) reads as the same state; the next write is format 2.
    @Test func formatOneFilesStillReadAndAreWrittenAsFormatTwo() throws {
        let state = Builders.state([Builders.asset("a", tags: ["t"], category: 3, workflow: "w1")])
        let record = try #require(state.assets["a"])
        let formatOne = """
            {
              "version": 1,
              "lineage": "\(state.lineage)",
              "serial": 3,
              "generator": "test",
              "journalSequence": 0,
              "assets": {
                "a": {
                  "createdAt": "2026-01-01T00:00:00Z",
                  "fields": {
                    "category": 3,
                    "tags": ["t"],
                    "title": "Title of a"
                  },
                  "fingerprints": {
                    "mutable": "\(record.fingerprints.mutable)",
                    "upload": "\(record.fingerprints.upload)"
                  },
                  "jobId": "job-0",
                  "mediaId": "media-0",
                  "source": "https://media.example.com/a.mp4",
                  "status": "ready",
                  "updatedAt": "2026-01-01T00:00:00Z",
                  "uploadInputs": {
                    "appId": "app-1000000",
                    "workflow": "w1"
                  }
                }
              }
            }

            """
        let read = try State.decode(formatOne, file: "s.json")
        #expect(read == state)
        #expect(read.fileText == state.fileText)
        #expect(read.fileText.count < formatOne.count)
        // A format 1 record with fingerprints its values do not give (another mediaform's, a hand edit) keeps them.
        let stale = formatOne.replacingOccurrences(of: record.fingerprints.upload, with: "0123")
        let kept = try State.decode(stale, file: "s.json")
        #expect(kept.assets["a"]?.fingerprints.upload == "0123")
        #expect(kept.fileText.contains("\"fingerprints\":{\"upload\":\"0123\"}"))
        #expect(try State.decode(kept.fileText, file: "s.json") == kept)
        // A format 1 record without upload inputs (an early mediaform's) has none after the round trip either.
        var none = state
        none.assets["a"]?.uploadInputs = nil
        #expect(none.fileText.contains("\"uploadInputs\":null"))
        #expect(try State.decode(none.fileText, file: "s.json") == none)
    }

    /// Upload inputs most records share are written once; every mix of records reads back as it was.
    @Test func sharedUploadInputsAreWrittenOnceAndEveryRecordReadsBackAsItWas() throws {
        var assets = (0..<5).map { Builders.asset("w\($0)", workflow: "main") }
        assets.append(Builders.asset("other", workflow: "second"))
        assets.append(Builders.asset("none"))
        var state = Builders.state(assets)
        state.assets["early"] = state.assets["w0"]
        state.assets["early"]?.uploadInputs = nil
        state.assets["meta"] = state.assets["w1"]
        state.assets["meta"]?.uploadInputs?["metadata"] = .object(["Lesson": .int(2), "Ratio": .double(1.5)])
        let text = state.fileText
        #expect(
            text.contains("\"uploadDefaults\": {\n    \"appId\": \"app-1000000\",\n    \"workflow\": \"main\"\n  }"))
        #expect(text.contains("\"uploadInputs\":{\"workflow\":\"second\"}"))
        #expect(text.contains("\"uploadInputs\":{\"workflow\":null}"))
        #expect(text.contains("\"uploadInputs\":null"))
        #expect(text.contains("\"uploadInputs\":{\"metadata\":{\"Lesson\":2,\"Ratio\":1.5}}"))
        let read = try State.decode(text, file: "s.json")
        #expect(read == state)
        for (key, record) in read.assets where record.uploadInputs != nil {
            #expect(record.fingerprints == state.assets[key]?.fingerprints, "\(key)")
        }
        // No majority: nothing shared.
        let split = Builders.state([Builders.asset("x", workflow: "1"), Builders.asset("y", workflow: "2")])
        #expect(!split.fileText.contains("\"workflow\": "))
        #expect(try State.decode(split.fileText, file: "s.json") == split)
        // Defaults after the records would change how they read: refused, located.
        let moved = text.replacingOccurrences(of: "\"uploadDefaults\"", with: "\"x\"") + ""
        let late = String(moved.dropLast(3)) + ", \"uploadDefaults\": {}}\n"
        #expect(throws: StateFormatError.self) { try State.decode(late, file: "s.json") }
    }

    @Test func theManifestCacheRoundTripsAndIsFoundBeforeTheRecords() throws {
        var state = Builders.state([Builders.asset("a"), Builders.asset("b")])
        state.lineage = "l"
        let records = try #require(ManifestCache.recordsDigest(["a", "b"], in: state))
        state.manifestCache = ManifestCache(
            project: "p", categories: ManifestCache.categoriesDigest([:]),
            files: ["assets/a.yaml": ManifestCache.Entry(digest: "d", keys: ["a", "b"], records: records)])
        let text = state.fileText
        #expect(try State.decode(text, file: "s.json") == state)
        #expect(State.peekManifestCache(Data(text.utf8)) == state.manifestCache)
        // Records first (another writer, or none written): the peek gives up rather than read them.
        let recordsFirst =
            #"{"assets": {}, "version": 1, "lineage": "l", "serial": 1, "manifestCache": "#
            + "\(state.manifestCache!.json.canonicalJSON)}"
        #expect(State.peekManifestCache(Data(recordsFirst.utf8)) == nil)
        #expect(State.peekManifestCache(Data("{\"version\": 9, \"manifestCache\": {}}".utf8)) == nil)
        #expect(State.peekManifestCache(Data("not json".utf8)) == nil)
        // An unreadable cache is dropped, never an error: it only saves time.
        let odd = text.replacingOccurrences(of: "\"records\":\"\(records)\"", with: "\"records\":1")
        #expect(try State.decode(odd, file: "s.json").manifestCache == nil)
    }

    @Test func theRecordsDigestSeesEveryFieldThePlannerReads() throws {
        let state = Builders.state([Builders.asset("a", category: 3)])
        let base = try #require(ManifestCache.recordsDigest(["a"], in: state))
        let edits: [(inout AssetRecord) -> Void] = [
            { $0.status = .processing }, { $0.fingerprints.mutable = "x" }, { $0.fingerprints.upload = "x" },
            { $0.mediaId = "other" }, { $0.protect = true }, { $0.drift = [.title] }, { $0.updatedAt = "later" },
            { $0.fields.category = 4 }, { $0.fields.cover = "https://c.example.com/c.jpg" }, { $0.uploadInputs = nil },
            // New values with their own fingerprint (as refresh and apply record them): the values are hashed.
            {
                $0.fields.title = "T2"; $0.fingerprints.mutable = $0.fields.fingerprint
            },
            {
                $0.fields.tags = ["x"]; $0.fingerprints.mutable = $0.fields.fingerprint
            },
            {
                $0.fields.description = "d"; $0.fingerprints.mutable = $0.fields.fingerprint
            },
        ]
        for (i, edit) in edits.enumerated() {
            var changed = state
            edit(&changed.assets["a"]!)
            #expect(ManifestCache.recordsDigest(["a"], in: changed) != base, "edit \(i)")
        }
        #expect(ManifestCache.recordsDigest(["a", "gone"], in: state) == nil)
        // No value can pass for another: the end of a title moved into the description.
        let split = { (title: String, description: String) -> String? in
            var changed = state
            changed.assets["a"]!.fields = MutableFieldValues(title: title, description: description)
            changed.assets["a"]!.fingerprints.mutable = changed.assets["a"]!.fields.fingerprint
            return ManifestCache.recordsDigest(["a"], in: changed)
        }
        #expect(split("AB", "c") != split("A", "Bc"))
    }

    /// A state over 1 MiB, as mediaform writes it, is read in two halves on two cores: same records, and the same
    /// located errors and duplicate-key rule as the one-pass read.
    @Test func aLargeStateReadsInTwoHalvesExactlyAsInOne() throws {
        let assets = (0..<8000).map { i in
            Builders.asset(String(format: "clip/%05d", i), tags: ["t\(i % 7)", "shared"], category: Int64(i % 5))
        }
        var state = Builders.state(assets)
        state.lineage = "l"
        let text = state.fileText
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBufferPointer { StateRecordsReader.splitPoint($0, from: 0) } != nil)
        #expect(try State.decode(text, file: "s.json") == state)

        // A damaged record late in the file (in the second half) is located where it is.
        let late = "\"clip/07999\": {"
        let at = try #require(text.range(of: late))
        let damaged = text.replacingCharacters(in: at, with: late + "\"status\": 7, ")
        let line = text[..<at.lowerBound].filter { $0 == "\n" }.count + 1
        #expect {
            try State.decode(damaged, file: "s.json")
        } throws: { error in
            (error as? StateFormatError)?.position.hasPrefix("\(line):") == true
        }

        // The same key in both halves: the later one wins, as in any JSON object read in one pass.
        let first = try #require(text.range(of: "\"clip/00000\": {"))
        let renamed = text.replacingCharacters(in: first, with: "\"clip/07998\": {")
        let decoded = try State.decode(renamed, file: "s.json")
        #expect(decoded.assets.count == 7999)
        #expect(decoded.assets["clip/07998"] == state.assets["clip/07998"])
    }

    /// Objects larger than a chunk (a state's records) render their members on every core: the text is the one a
    /// member-by-member rendering gives, nested values and the last member's missing comma included.
    @Test func aLargeObjectRendersInChunksAsItWouldInOne() {
        let count = JSONValue.chunkedMembers * 3 + 17
        var members: [String: JSONValue] = [:]
        for i in 0..<count {
            members[String(format: "k%06d", i)] = .object(["n": .int(Int64(i)), "s": .string("v\(i)")])
        }
        var expected = "{\n  \"outer\": {\n"
        for i in 0..<count {
            expected += "    \"\(String(format: "k%06d", i))\": {\n      \"n\": \(i),\n      \"s\": \"v\(i)\"\n    }"
            expected += i + 1 < count ? ",\n" : "\n"
        }
        expected += "  }\n}\n"
        #expect(JSONValue.object(["outer": .object(members)]).prettyJSON(leading: []) == expected)
    }

    @Test func stringsEscapeOnlyWhatJSONRequiresIntoTextAndBytesAlike() throws {
        let value = JSONValue.array([
            .string("plain 季度 ✓"), .string("q\"b\\s\nn\r\t\u{08}\u{0C}\u{01}\u{1F}é\"end"), .string("\n"),
            .object(["k\"": .string("v\u{7F}")]),
        ])
        let expected = #"["plain 季度 ✓","q\"b\\s\nn\r\t\b\f\u0001\u001fé\"end","\n",{"k\"":"v\#u{7F}"}]"#
        #expect(value.canonicalJSON == expected)
        var bytes = TextBuffer()
        value.write(into: &bytes)
        #expect(bytes.text == expected)
        // What the JSON parser reads back is the value written.
        #expect(try JSONParser.parse(expected) == value)
    }

    /// A file's upload defaults, asked for once per record, give what looking them up gives; other defaults after
    /// them are not mistaken for them.
    @Test func uploadDefaultsAreSharedWithoutBeingLookedUpAgain() {
        func same(_ a: Fingerprints.UploadText, _ b: Fingerprints.UploadText) -> Bool {
            a.head == b.head && a.tail == b.tail
        }
        var interning = RecordInterning()
        let defaults: [String: JSONValue] = ["appId": .string("app-1"), "workflow": .string("wf")]
        let first = interning.sharedDefaults(defaults)
        let again = interning.sharedDefaults(defaults)
        #expect(first.inputs == defaults && again.inputs == defaults)
        #expect(same(first.text, again.text))
        #expect(same(first.text, interning.shared(defaults).text))
        let other: [String: JSONValue] = ["appId": .string("app-2"), "workflow": .string("wf")]
        #expect(interning.sharedDefaults(other).inputs == other)
        #expect(same(interning.sharedDefaults(other).text, Fingerprints.UploadText(other)))
        #expect(same(interning.sharedDefaults(defaults).text, Fingerprints.UploadText(defaults)))
        #expect(!same(Fingerprints.UploadText(other), Fingerprints.UploadText(defaults)))
    }

    /// Spaces come from a row of 64: counts below, at and above it, and none.
    @Test func textBufferAppendsAnyNumberOfSpaces() {
        for count in [0, 1, 63, 64, 65, 200] {
            var bytes = TextBuffer()
            bytes.append("a")
            bytes.appendSpaces(count)
            bytes.append(ascii: UInt8(ascii: "b"))
            #expect(bytes.text == "a" + String(repeating: " ", count: count) + "b")
        }
    }

    @Test func newerVersionIsAClearError() {
        #expect(
            throws: StateFormatError(
                file: "s.json", position: "1:14",
                message: "state format version 3 is newer than this mediaform reads (2); upgrade mediaform")
        ) {
            try State.decode(#"{"version": 3, "lineage": "x", "serial": 1, "assets": {}}"#, file: "s.json")
        }
    }

    @Test(arguments: [
        (
            "truncated.json", #"{"version": 1, "lineage": "x", "serial": 1, "assets": {"a": {"#,
            "1:62: expected a string key"
        ),
        ("garbage.json", "\u{1}\u{2}binary", "1:1: expected an object"),
        (
            "wrong-type.json", #"{"version": 1, "lineage": "x", "serial": "one", "assets": {}}"#,
            "1:42: expected an integer"
        ),
        (
            "bad-status.json",
            #"{"version": 1, "lineage": "x", "serial": 1, "assets": {"a": {"source": "s", "status": "done", "fingerprints": {"upload": "u", "mutable": "m"}, "fields": {"title": "t"}, "createdAt": "c", "updatedAt": "u"}}}"#,
            "1:61: asset 'a' has an unknown status 'done' (expected submitted, processing, ready, failed, missing)"
        ),
        ("no-lineage.json", #"{"version": 1, "serial": 1, "assets": {}}"#, "1:1: the state has no 'lineage'"),
        ("only-version.json", #"{"version": 1}"#, "1:1: the state has no 'lineage'"),
        ("empty.json", "", "1:1: expected an object"),
    ])
    func corruptStatesAreLocatedErrors(_ name: String, _ text: String, _ expected: String) async {
        do {
            _ = try State.decode(text, file: name)
            Issue.record("\(name) decoded")
        } catch {
            #expect("\(error.position): \(error.message)" == expected)
        }
    }

    @Test func journalToleratesOnlyATornLastLine() throws {
        let put = JournalRecord(sequence: 1, time: "t", entry: .remove(key: "a")).line
        let intent = JournalRecord(
            sequence: 2, time: "t", entry: .intent(Intent(id: "i", operation: .upload, keys: ["a"]))
        ).line
        let torn = try JournalContents.parse(put + "\n" + intent + "\n" + "{\"seq\":3,\"ti", file: "j")
        #expect(torn.records.count == 2)
        #expect(torn.tornLine == 3)
        #expect(throws: StateFormatError.self) {
            try JournalContents.parse(put + "\n{\"seq\":\n" + intent + "\n", file: "j")
        }
        #expect(throws: StateFormatError.self) { try JournalContents.parse("not json\n", file: "j") }
        #expect(throws: StateFormatError.self) { try JournalContents.parse(intent + "\n" + put + "\n", file: "j") }
    }

    @Test func foldingAppliesNewerRecordsOnceAndKeepsOpenIntents() throws {
        let a = Builders.asset("a"), b = Builders.asset("b")
        var state = Builders.state([a])
        state.journalSequence = 2
        let record = try #require(Builders.state([b]).assets["b"])
        let records = [
            JournalRecord(sequence: 2, time: "t", entry: .remove(key: "a")),  // already in the snapshot: skipped
            JournalRecord(sequence: 3, time: "t", entry: .intent(Intent(id: "i1", operation: .upload, keys: ["b"]))),
            JournalRecord(sequence: 4, time: "t", entry: .put(key: "b", record: record)),
            JournalRecord(sequence: 5, time: "t", entry: .done(intentId: "i1")),
            JournalRecord(sequence: 6, time: "t", entry: .intent(Intent(id: "i2", operation: .upload, keys: ["c"]))),
        ]
        let (folded, open) = state.folding(records)
        #expect(Set(folded.assets.keys) == ["a", "b"])
        #expect(folded.journalSequence == 6)
        #expect(open.map(\.id) == ["i2"])
        #expect(folded.folding(records).state == folded)
        let lines = records.map(\.line).joined(separator: "\n") + "\n"
        #expect(try JournalContents.parse(lines, file: "j").records == records)
    }
}
