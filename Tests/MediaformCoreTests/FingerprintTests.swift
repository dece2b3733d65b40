import MediaformCore
import MediaformTestSupport
import Testing

@Suite struct FingerprintTests {
    private func load(_ assetYAML: String) -> Asset? {
        let parsed = ManifestParser.parseAssets("assets:\n" + assetYAML, file: "a.yaml", defaults: nil)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        return parsed.assets.first
    }

    /// An asset that sets every field, with text that needs escaping and a signed source and cover.
    private static let everyField = """
          - key: k
            source: "https://m.example.com/a%20b.mp4?Signature=x"
            title: "T \\"quoted\\" /slash/ 季度"
            description: "line\\nbreak"
            tags: [z, a, "é"]
            category: 7
            cover: https://m.example.com/c.jpg?Expires=1&Signature=2
            workflow: w
            fileExtension: mp4
            fileSize: 12
            metadata: {b: [1, {c: null}], a: true}
            entity: e
            storage: {location: outin-1.oss-cn-shanghai.aliyuncs.com}
            postProcess: {workflow: p}

        """

    @Test func stableAcrossKeyOrderAndFormatting() throws {
        let a = try #require(
            load(
                "  - {key: k, source: 'https://m.example.com/a.mp4', title: T, tags: [x, y], metadata: {b: 1, a: 2}}\n")
        )
        let b = try #require(
            load(
                """
                  - metadata:
                      a: 2
                      b: 1
                    tags:
                      - y
                      - x
                    title: "T"
                    source: https://m.example.com/a.mp4
                    key: k

                """))
        #expect(a.fingerprints(appId: "app-1") == b.fingerprints(appId: "app-1"))
    }

    @Test func titleChangesOnlyTheMutableFingerprint() throws {
        let a = try #require(load("  - {key: k, source: 'https://m.example.com/a.mp4', title: T}\n"))
        var b = a
        b.title = "U"
        #expect(a.fingerprints(appId: "x").upload == b.fingerprints(appId: "x").upload)
        #expect(a.fingerprints(appId: "x").mutable != b.fingerprints(appId: "x").mutable)
    }

    @Test func uploadInputsChangeOnlyTheUploadFingerprint() throws {
        let a = try #require(load("  - {key: k, source: 'https://m.example.com/a.mp4', title: T}\n"))
        for change in [
            { (x: inout Asset) in x.source = "https://m.example.com/b.mp4" },
            { (x: inout Asset) in x.workflow = "w" },
            { (x: inout Asset) in x.metadata = ["k": .string("v")] },
            { (x: inout Asset) in x.fileExtension = "mov" },
        ] {
            var b = a
            change(&b)
            #expect(a.fingerprints(appId: "x").upload != b.fingerprints(appId: "x").upload)
            #expect(a.fingerprints(appId: "x").mutable == b.fingerprints(appId: "x").mutable)
        }
        #expect(a.fingerprints(appId: "x").upload != a.fingerprints(appId: "y").upload)
    }

    @Test func resigningASourceOrChangingTheCallbackIsNotAChange() throws {
        var a = try #require(
            load(
                "  - {key: k, source: 'https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?Expires=1&Signature=S1', title: T}\n"
            ))
        var b = a
        b.source = "https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?Expires=2&Signature=S2"
        b.callback = "https://hooks.example.com/other"
        b.extend = ["team": .string("x")]
        #expect(a.fingerprints(appId: "x") == b.fingerprints(appId: "x"))
        a.source = "https://b.oss-cn-shanghai.aliyuncs.com/a.mp4?v=2"
        #expect(a.fingerprints(appId: "x") != b.fingerprints(appId: "x"))
    }

    @Test func fastFingerprintsHashTheCanonicalJSON() throws {
        let a = try #require(load(Self.everyField))
        let prints = a.fingerprints(appId: "app-1")
        #expect(prints.upload == Digest.sha256Hex(a.uploadInputs(appId: "app-1").canonicalJSON))
        #expect(prints.mutable == Digest.sha256Hex(a.mutableFields.canonicalJSON))
        let minimal = try #require(load("  - {source: 'https://m.example.com/b.mp4', title: B}\n"))
        #expect(
            minimal.fingerprints(appId: "x").upload == Digest.sha256Hex(minimal.uploadInputs(appId: "x").canonicalJSON))
        #expect(minimal.fingerprints(appId: "x").mutable == Digest.sha256Hex(minimal.mutableFields.canonicalJSON))
    }

    /// State format 2 leaves out the fingerprints a record's values give: recomputed from the record, they are the
    /// asset's, for every upload input and managed field (tags in any order), stored alone or read from a file.
    @Test func aRecordsValuesGiveItsFingerprints() throws {
        for asset in [try #require(load(Self.everyField)), Builders.asset("b", tags: ["z", "a", "m"], category: 4)] {
            let record = AssetRecord(asset: asset, appId: "app-1", status: .ready, time: "t")
            let inputs = try #require(record.uploadInputs)
            #expect(Fingerprints.upload(source: record.source, inputs: inputs) == record.fingerprints.upload)
            #expect(record.fields.fingerprint == record.fingerprints.mutable)
            let stored = record.storedJSON(uploadDefaults: nil)
            #expect(stored["fingerprints"] == nil)
            #expect(try AssetRecord.decode(stored.canonicalJSON, key: "k", file: "f") == record)
        }
    }

    /// A record computes its mutable fingerprint from its fields unless a different one was recorded; changing the
    /// fields alone keeps the fingerprint it had (whoever records new values records theirs too), and records made
    /// either way compare equal when their fingerprints are.
    @Test func aRecordsMutableFingerprintIsItsFieldsUnlessAnotherWasRecorded() throws {
        let asset = Builders.asset("b", tags: ["z", "a"], category: 4)
        let record = AssetRecord(asset: asset, appId: "app-1", status: .ready, time: "t")
        var edited = record
        edited.fields.title = "Console title"
        #expect(edited.fingerprints.mutable == record.fingerprints.mutable, "a fields change keeps the print")
        #expect(
            edited.storedJSON(uploadDefaults: nil)["fingerprints"]?["mutable"]
                == .string(
                    record.fingerprints.mutable))
        #expect(
            try AssetRecord.decode(edited.storedJSON(uploadDefaults: nil).canonicalJSON, key: "k", file: "f")
                == edited)
        edited.fingerprints.mutable = edited.fields.fingerprint
        #expect(edited.storedJSON(uploadDefaults: nil)["fingerprints"] == nil)
        var fresh = AssetRecord(
            source: record.source, fingerprints: record.fingerprints, fields: record.fields,
            uploadInputs: record.uploadInputs, status: .ready, createdAt: "t", updatedAt: "t")
        fresh.fields.title = "Console title"
        #expect(fresh != edited, "still the old print")
        fresh.fingerprints = Fingerprints(upload: record.fingerprints.upload, mutable: edited.fields.fingerprint)
        #expect(fresh == edited)
        // A recorded print equal to the computed one (a format 1 record) reads as a record without one.
        var explicit = record.storedJSON(uploadDefaults: nil)
        explicit = .object(
            (explicit.objectValue ?? [:]).merging(
                ["fingerprints": .object(["mutable": .string(record.fingerprints.mutable)])]) { $1 })
        #expect(try AssetRecord.decode(explicit.canonicalJSON, key: "k", file: "f") == record)
    }

    /// A new asset's plan lists every value it sends: the source, the managed fields as they are recorded, then the
    /// upload inputs by name (the planner writes them out field by field; here they come from the dictionaries).
    @Test func creationFieldsAreEveryValueSentInOrder() throws {
        let full = try #require(load(Self.everyField))
        let minimal = try #require(load("  - {source: 'https://m.example.com/b.mp4', title: B}\n"))
        for asset in [full, minimal] {
            var expected = [FieldChange(field: "source", before: .null, after: .string(asset.redactedSource))]
            let mutable = MutableFieldValues(asset).json
            for name in ["title", "description", "tags", "category", "cover"] {
                if let v = mutable[name] { expected.append(FieldChange(field: name, before: .null, after: v)) }
            }
            let inputs = try #require(asset.uploadInputs(appId: "app-1").objectValue)
            for name in inputs.keys.sorted() where name != "source" && name != "appId" {
                expected.append(FieldChange(field: name, before: .null, after: inputs[name] ?? .null))
            }
            let plan = Planner.plan(
                project: Project(region: "cn-shanghai", appId: "app-1"), assets: [asset],
                state: State(lineage: "l", generator: "g"), prune: false)
            #expect(plan.changes.first?.fields == expected)
        }
        #expect(
            try #require(
                Planner.plan(
                    project: Project(region: "cn-shanghai", appId: "app-1"), assets: [full],
                    state: State(lineage: "l", generator: "g"), prune: false
                ).changes.first
            ).fields.count == 13)
    }

    @Test func canonicalJSONIsSortedUnescapedAndCompact() {
        let value = JSONValue.object([
            "b": .string("x/y \"q\"\n"), "a": .array([.int(1), .double(2.5), .null, .bool(false)]), "é": .double(3),
        ])
        #expect(value.canonicalJSON == #"{"a":[1,2.5,null,false],"b":"x/y \"q\"\n","é":3}"#)
    }
}
