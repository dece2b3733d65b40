import Foundation
import MediaformCore
import MediaformTestSupport
import Testing

/// The CI recipes in examples/ci are valid YAML with the structure their systems require.
@Suite struct CIRecipeTests {
    private func load(_ name: String) throws -> YAMLNode {
        let path = Fixtures.examples.appendingPathComponent("ci/\(name)").path
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let result = YAMLLoader.load(bytes, file: path)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        return try #require(result.root)
    }

    private func keys(_ node: YAMLNode?) -> Set<String> {
        Set(node?.mapping?.compactMap { $0.key.scalar?.text } ?? [])
    }

    private func value(_ node: YAMLNode?, _ key: String) -> YAMLNode? {
        node?.mapping?.first { $0.key.scalar?.text == key }?.value
    }

    @Test func githubActionsWorkflow() throws {
        let root = try load("github-actions.yml")
        #expect(keys(root).isSuperset(of: ["name", "on", "jobs"]))
        let jobs = value(root, "jobs")
        #expect(keys(jobs) == ["plan", "apply"])
        for job in ["plan", "apply"] {
            #expect(keys(value(jobs, job)).isSuperset(of: ["runs-on", "steps"]))
            for step in value(value(jobs, job), "steps")?.sequence ?? YAMLLoader.load("[]", file: "x").root!.sequence! {
                #expect(!keys(step).intersection(["run", "uses"]).isEmpty)
            }
        }
    }

    @Test func githubActionsWithPostgresState() throws {
        let root = try load("github-actions-postgres.yml")
        let jobs = value(root, "jobs")
        #expect(keys(jobs) == ["test", "plan", "apply"])
        // The throw-away database is a service container, reached by its service name.
        let postgres = value(value(value(jobs, "test"), "services"), "postgres")
        #expect(value(postgres, "image")?.scalar?.text.hasPrefix("postgres:") == true)
        #expect(
            value(value(value(jobs, "test"), "env"), "MEDIAFORM_PG_URL")?.scalar?.text.contains("@postgres:5432/")
                == true)
        // The shared database's URL comes from a secret, never from the file.
        for job in ["plan", "apply"] {
            #expect(
                value(value(value(jobs, job), "env"), "MEDIAFORM_PG_URL")?.scalar?.text
                    == "${{ secrets.MEDIAFORM_PG_URL }}")
        }
        let applyRun = value(value(jobs, "apply"), "steps")?.sequence?.compactMap { value($0, "run")?.scalar?.text }
            .joined()
        #expect(applyRun?.contains("--lock-timeout") == true)
    }

    @Test func gitlabPipeline() throws {
        let root = try load("gitlab-ci.yml")
        let stages = value(root, "stages")?.sequence?.compactMap { $0.scalar?.text }
        #expect(stages == ["validate", "plan", "apply"])
        for job in ["validate", "plan", "apply"] {
            let stage = value(value(root, job), "stage")?.scalar?.text
            #expect(stage == job)
            #expect(value(value(root, job), "script")?.sequence != nil)
        }
    }

    /// The recipes install the release archive, checked against its checksum: no recipe builds mediaform.
    @Test(arguments: ["github-actions.yml", "github-actions-postgres.yml", "gitlab-ci.yml"])
    func recipesInstallTheReleaseArchiveWithoutBuilding(_ name: String) throws {
        let path = Fixtures.examples.appendingPathComponent("ci/\(name)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("swift build") && !text.contains("git clone"))
        #expect(text.contains("sha256sum --check") && text.contains("releases/download/v${MEDIAFORM_VERSION}"))
        #expect(text.contains("libyaml-0-2") && text.contains("libssl3"))
    }

    /// The examples are the recipes `init --ci` writes, for a project in media/: one source for both.
    @Test(arguments: CIRecipe.allCases)
    func theExamplesAreTheRecipesInitWrites(_ recipe: CIRecipe) throws {
        let name = recipe == .github ? "github-actions.yml" : "gitlab-ci.yml"
        let example = try String(
            contentsOfFile: Fixtures.examples.appendingPathComponent("ci/\(name)").path, encoding: .utf8)
        #expect(recipe.text(directory: "media") == example)
        let root = recipe.text(directory: ".")
        #expect(
            !root.contains("media/") && root.contains("mediaform validate .")
                && root.contains("lives in the repository's root"))
    }
}
