import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

/// The JSON Schemas in `schemas/` and the decoder accept the same keys (style rule 14). If this fails, edit
/// `schemas/*.schema.json` or `ManifestKeys` so that both list the same keys.
@Suite struct SchemaTests {
    private func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("schemas/\(name)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func keys(_ object: Any?, _ path: String...) -> Set<String> {
        var node = object
        for component in path { node = (node as? [String: Any])?[component] }
        return Set(((node as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
    }

    @Test func projectSchemaMatchesTheDecoder() throws {
        let project = try schema("project.schema.json")
        #expect(keys(project) == Set(ManifestKeys.project))
        #expect(keys(project, "properties", "state") == Set(ManifestKeys.state))
        #expect(keys(project, "properties", "limits") == Set(ManifestKeys.limits))
    }

    @Test func manifestSchemaMatchesTheDecoder() throws {
        let manifest = try schema("manifest.schema.json")
        let common = keys(manifest, "$defs", "commonFields")
        #expect(keys(manifest) == Set(ManifestKeys.manifestFile))
        #expect(common.union(keys(manifest, "$defs", "asset")) == Set(ManifestKeys.asset))
        #expect(common == Set(ManifestKeys.defaults))
        #expect(keys(manifest, "$defs", "commonFields", "properties", "storage") == Set(ManifestKeys.storage))
        #expect(keys(manifest, "$defs", "commonFields", "properties", "postProcess") == Set(ManifestKeys.postProcess))
    }

    @Test func schemaExtensionListMatchesTheValidator() throws {
        let manifest = try schema("manifest.schema.json")
        let defs = manifest["$defs"] as? [String: Any]
        let common = (defs?["commonFields"] as? [String: Any])?["properties"] as? [String: Any]
        let pattern = try #require((common?["fileExtension"] as? [String: Any])?["pattern"] as? String)
        let listed = pattern.dropFirst("^(?i:".count).dropLast(")$".count).split(separator: "|").map(String.init)
        #expect(Set(listed) == APILimits.mediaExtensions)
    }
}
