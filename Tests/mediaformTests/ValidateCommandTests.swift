import Foundation
import MediaformTestSupport
import Testing

/// `mediaform validate` run as a subprocess, as users and CI run it.
@Suite struct ValidateCommandTests {
    @Test func validExampleProjectPrintsNothingAndExitsZero() async throws {
        let result = try await CommandRunner.run(["validate", "examples/course-library"], in: Fixtures.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.isEmpty)
    }

    @Test func diagnosticsOutputMatchesGolden() async throws {
        let result = try await CommandRunner.run(
            ["validate", "Tests/Fixtures/golden/many-problems"], in: Fixtures.packageRoot)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let mismatch = Snapshot.mismatch(result.stderr, golden: Fixtures.path("golden/validate-many-problems.txt"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func strictTurnsWarningsIntoFailure() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "version: 1\nregion: cn-shanghai\n".write(
            to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        let lenient = try await CommandRunner.run(["validate", dir.path])
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("warning: no asset files found"))
        let strict = try await CommandRunner.run(["validate", "--strict", dir.path])
        #expect(strict.status == 1)
    }

    @Test func helpExplainsExitCodes() async throws {
        let result = try await CommandRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Exit codes"))
        #expect(result.stdout.contains("validate"))
    }

    @Test func colourOnATerminalOnlyAndNeverWhenRefused() async throws {
        let fixture = Fixtures.path("invalid/asset-missing-source")
        let escape = "\u{1B}["
        // A terminal: coloured.
        let terminal = try await CommandRunner.runOnTerminal(["validate", fixture])
        #expect(terminal.contains("asset is missing 'source'"), "\(terminal)")
        #expect(terminal.contains(escape), "no colour on a terminal: \(terminal.debugDescription)")
        // A terminal, but NO_COLOR or --no-color: plain.
        let noColor = try await CommandRunner.runOnTerminal(["validate", fixture], environment: ["NO_COLOR": "1"])
        #expect(noColor.contains("error:") && !noColor.contains(escape))
        let flag = try await CommandRunner.runOnTerminal(["validate", "--no-color", fixture])
        #expect(flag.contains("error:") && !flag.contains(escape))
        // A pipe, with NO_COLOR unset: plain.
        let piped = try await CommandRunner.run(["validate", fixture], environment: ["NO_COLOR": ""])
        #expect(piped.stderr.contains("error:") && !piped.stderr.contains(escape))
    }
}
