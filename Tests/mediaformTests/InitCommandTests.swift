import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// `mediaform init` as a subprocess: a new project that validates, plans and applies against the emulator at once.
@Suite struct InitCommandTests {
    @Test func aNewProjectValidatesPlansAndAppliesAtOnce() async throws {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("media library")
        let created = try await CommandRunner.run(["init", dir.path])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created \(dir.path)/mediaform.yaml"))
        #expect(try await CommandRunner.run(["validate", dir.path, "--strict"]).status == 0)
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(
            plan.stdout.contains("+ create welcome")
                && plan.stdout.hasSuffix("Plan: 1 to upload, 0 to update, 0 to replace, 0 to delete.\n"))
        let apply = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--wait"], environment: ["MEDIAFORM_EMULATOR_DELAY": "0.1"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(try await CommandRunner.run(["plan", dir.path]).stdout == "No changes.\n")
        let ignored = try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(ignored.contains(".mediaform/\n"))

        // Never over an existing project; nothing is touched.
        let before = try String(contentsOf: dir.appendingPathComponent("mediaform.yaml"), encoding: .utf8)
        let again = try await CommandRunner.run(["init", dir.path, "--region", "cn-beijing"])
        #expect(again.status == 1 && again.stderr.contains("mediaform.yaml exists; init never overwrites a project"))
        #expect(try String(contentsOf: dir.appendingPathComponent("mediaform.yaml"), encoding: .utf8) == before)
    }

    @Test func optionsAreCheckedAndAnExistingGitignoreIsExtended() async throws {
        let dir = try Fixtures.temporaryDirectory()
        try "build/\n".write(to: dir.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        let bad = try await CommandRunner.run(["init", dir.path, "--region", "us-west-1"])
        #expect(bad.status == 1 && bad.stderr.contains("us-west-1"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mediaform.yaml").path))
        let regional = try await CommandRunner.run([
            "init", dir.path, "--region", "cn-beijing", "--endpoint", "regional",
        ])
        #expect(regional.status == 0, "\(regional.stderr)")
        #expect(regional.stdout.contains("added .mediaform/ to"))
        let text = try String(contentsOf: dir.appendingPathComponent("mediaform.yaml"), encoding: .utf8)
        #expect(text.contains("region: cn-beijing\n") && !text.contains("\nendpoint: emulator"))
        #expect(
            try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8) == "build/\n.mediaform/\n"
        )
        #expect(try await CommandRunner.run(["validate", dir.path, "--strict"]).status == 0)
    }

    @Test func ciRecipesGoToTheRepositoryRootForTheProjectsDirectory() async throws {
        let repository = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: repository.appendingPathComponent(".git"), withIntermediateDirectories: true)
        let media = repository.appendingPathComponent("media")
        let github = try await CommandRunner.run(["init", media.path, "--ci", "github"])
        #expect(github.status == 0, "\(github.stderr)")
        let workflow = try String(
            contentsOf: repository.appendingPathComponent(".github/workflows/mediaform.yml"), encoding: .utf8)
        #expect(workflow == CIRecipe.github.text(directory: "media"))
        let other = repository.appendingPathComponent("other")
        let gitlab = try await CommandRunner.run(["init", other.path, "--ci", "gitlab"])
        #expect(gitlab.status == 0, "\(gitlab.stderr)")
        #expect(
            try String(contentsOf: repository.appendingPathComponent(".gitlab-ci.yml"), encoding: .utf8)
                == CIRecipe.gitlab.text(directory: "other"))
        let again = try await CommandRunner.run([
            "init", repository.appendingPathComponent("third").path, "--ci", "github",
        ])
        #expect(again.stdout.contains("mediaform.yml (it exists)"))
        let bad = try await CommandRunner.run(["init", repository.path, "--ci", "jenkins"])
        #expect(bad.status != 0 && bad.stderr.contains("jenkins"))
    }
}
