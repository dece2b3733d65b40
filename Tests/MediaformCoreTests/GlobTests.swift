import MediaformCore
import Testing

@Suite struct GlobTests {
    @Test func matching() {
        #expect(Glob("assets/**/*.yaml").matches("assets/a.yaml"))
        #expect(Glob("assets/**/*.yaml").matches("assets/x/y/a.yaml"))
        #expect(!Glob("assets/**/*.yaml").matches("other/a.yaml"))
        #expect(!Glob("assets/*.yaml").matches("assets/x/a.yaml"))
        #expect(Glob("**/*.yml").matches("a/b.yml"))
        #expect(Glob("a?.yaml").matches("ab.yaml"))
        #expect(!Glob("*.yaml").matches("a.yml"))
        #expect(Glob("assets/**/*.yaml").literalPrefix == "assets")
        #expect(Glob("media/library/*.yaml").literalPrefix == "media/library")
        #expect(Glob("*.yaml").literalPrefix == "")
    }

    @Test func spellingSuggestions() {
        #expect(Spelling.suggestion(for: "tittle", among: ManifestKeys.asset) == "title")
        #expect(Spelling.suggestion(for: "Tags", among: ManifestKeys.asset) == "tags")
        #expect(Spelling.suggestion(for: "zzz", among: ManifestKeys.asset) == nil)
    }
}
