import MediaformCore
import MediaformTestSupport
import Testing

/// `oss://bucket/object` sources: validated, keyed and planned as registrations in place (issue 16, part 2).
@Suite struct OSSSourceTests {
    @Test func ossSourcesAreValidatedWhereTheyAreWritten() {
        let parsed = ManifestParser.parseAssets(
            """
            assets:
              - source: oss://academy-media/archive/keynote.mp4
                title: Good
              - source: oss://Bad_Bucket/x.mp4
                title: A
              - source: oss://ok-bucket/
                title: B
              - source: oss://ok-bucket/notes.txt
                title: C
              - source: oss://ok-bucket/stream
                fileExtension: m3u8
                title: D
            """, file: "a.yaml", defaults: nil)
        #expect(
            parsed.diagnostics.map(\.description) == [
                "a.yaml:4:13: error: 'Bad_Bucket' is not an OSS bucket name (3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit)",
                "a.yaml:6:13: error: 'source' must name an object: oss://ok-bucket/path/to/file.mp4",
                "a.yaml:8:13: error: 'source' ends in '.txt', which is not an audio or video format IMS accepts; set 'fileExtension' if the URL serves media anyway",
            ])
        #expect(parsed.assets.first?.key == "academy-media/archive/keynote.mp4")
        #expect(parsed.assets.first?.registersInPlace == true)
    }

    @Test func ossSourcesAreRegisteredAndAnOSSHTTPSURLIsStillUploaded() {
        let registered = Builders.asset("a", source: "oss://team-bucket/a.mp4")
        let copied = Builders.asset("b", source: "https://team-bucket.oss-cn-shanghai.aliyuncs.com/b.mp4")
        let plan = Planner.plan(
            project: Builders.project(), assets: [registered, copied], state: Builders.state([]), prune: false)
        #expect(plan.changes.map(\.operations) == [[.register], [.upload]])
        // A source change is a replacement, registered again; the old media is deleted only under prune.
        var moved = registered
        moved.source = "oss://team-bucket/a-v2.mp4"
        let replaced = Planner.plan(
            project: Builders.project(), assets: [moved], state: Builders.state([registered]), prune: true)
        #expect(replaced.changes.first?.action == .replace)
        #expect(replaced.changes.first?.operations == [.register, .delete])
    }
}
