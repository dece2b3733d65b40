import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// The commands as subprocesses with the state in PostgreSQL (the throw-away cluster of `Scripts/test`): several
/// processes against one database, a killed holder, force-unlock of a hung holder, migration, and secrets.
@Suite(.serialized, .enabled(if: TestDatabase.isAvailable)) struct PostgresCommandTests {
    static let fast = ["MEDIAFORM_EMULATOR_DELAY": "0.2"]

    /// A copy of the quickstart whose state lives in the test database under a new name.
    private func quickstart(name: String = TestDatabase.uniqueName("quickstart")) throws -> URL {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("quickstart")
        try Fixtures.copyProject(Fixtures.examples.appendingPathComponent("quickstart"), to: dir)
        let file = dir.appendingPathComponent("mediaform.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + TestDatabase.stateSection(name: name)).write(to: file, atomically: true, encoding: .utf8)
        return dir
    }

    private var environment: [String: String] { Self.fast.merging(TestDatabase.environment) { $1 } }

    private func run(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> CommandResult {
        try await CommandRunner.run(arguments, environment: environment.merging(extra) { $1 })
    }

    @Test func quickstartAppliesAndPlansAgainstTheDatabase() async throws {
        let dir = try quickstart()
        let apply = try await run(["apply", dir.path, "--auto-approve", "--wait"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("Apply complete: 3 submitted, 0 updated, 0 deleted. State serial 1."))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mediaform.state.json").path))
        let plan = try await run(["plan", dir.path, "--detailed-exitcode"])
        #expect(plan.status == 0 && plan.stdout == "No changes.\n", "\(plan.stderr)")
        let list = try await run(["state", "list", "-l", "-C", dir.path])
        #expect(list.stdout.split(separator: "\n").count == 3 && list.stdout.contains("demo/intro\tready\t"))
        // A saved plan made before someone else's apply is stale.
        let edited = try String(contentsOf: dir.appendingPathComponent("assets/demo.yaml"), encoding: .utf8)
        try edited.replacingOccurrences(of: "title: Introduction", with: "title: Welcome")
            .write(to: dir.appendingPathComponent("assets/demo.yaml"), atomically: true, encoding: .utf8)
        let planFile = dir.appendingPathComponent("change.plan").path
        #expect(try await run(["plan", dir.path, "--out", planFile]).status == 0)
        #expect(try await run(["state", "rm", "demo/podcast-01", "-C", dir.path]).status == 0)
        let stale = try await run(["apply", planFile])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("is stale"), "\(stale.stderr)")
        // Without a URL, commands that need the state say where to put one; validate does not need it.
        let noURL = try await CommandRunner.run(["plan", dir.path], environment: ["MEDIAFORM_PG_URL": ""])
        #expect(noURL.status == 1 && noURL.stderr.contains("set MEDIAFORM_PG_URL"))
        #expect(try await CommandRunner.run(["validate", dir.path], environment: ["MEDIAFORM_PG_URL": ""]).status == 0)
    }

    @Test func aRenameIsAMoveInTheDatabaseState() async throws {
        let dir = try quickstart()
        #expect(try await run(["apply", dir.path, "--auto-approve", "--wait"]).status == 0)
        let before = try await run(["state", "show", "demo/interview", "-C", dir.path])
        let manifest = dir.appendingPathComponent("assets/demo.yaml")
        try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "key: demo/interview", with: "key: demo/team-interview")
            .replacingOccurrences(of: "title: \"Interview: the team\"", with: "title: The team")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let apply = try await run(["apply", dir.path, "--auto-approve", "--prune"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout.contains("→ move demo/interview → demo/team-interview"), "\(apply.stdout)")
        #expect(apply.stdout.contains("Apply complete: 0 submitted, 1 updated, 0 deleted, 1 moved to a new key."))
        let plan = try await run(["plan", dir.path, "--prune", "--detailed-exitcode"])
        #expect(plan.status == 0 && plan.stdout == "No changes.\n", "\(plan.stdout)")
        let after = try await run(["state", "show", "demo/team-interview", "-C", dir.path])
        let mediaId = { (text: String) in text.split(separator: "\n").first { $0.contains("\"mediaId\"") } }
        #expect(mediaId(after.stdout) != nil && mediaId(after.stdout) == mediaId(before.stdout))
    }

    @Test func aSecondApplyWaitsOrFailsNamingTheFirstAndAKilledHolderFreesTheLock() async throws {
        let dir = try quickstart()
        // A holds the lock for 10 s before it uploads.
        let a = try CommandRunner.start(
            ["apply", dir.path, "--auto-approve"],
            environment: environment.merging(["MEDIAFORM_PAUSE": "after-lock:10"]) { $1 })
        #expect(await CommandRunner.waitFor("paused at after-lock", in: a.stderr))
        let refused = try await run(["apply", dir.path, "--auto-approve"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the state is locked: held by apply by"), "\(refused.stderr)")
        #expect(refused.stderr.contains("(pid \(a.process.processIdentifier))"))
        let waited = try await run(["apply", dir.path, "--auto-approve", "--lock-timeout", "60s"])
        await CommandRunner.waitForExit(a.process)
        #expect(a.process.terminationStatus == 0)
        // The waiting apply ran after A: A's uploads are in the state, so it found nothing to do.
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stdout.hasPrefix("No changes."), "\(waited.stdout)")

        // B holds the lock and is killed: its connection ends, the server frees the lock.
        let b = try CommandRunner.start(
            ["state", "rm", "demo/intro", "-C", dir.path],
            environment: environment.merging(["MEDIAFORM_PAUSE": "after-lock:60"]) { $1 })
        #expect(await CommandRunner.waitFor("paused at after-lock", in: b.stderr))
        kill(b.process.processIdentifier, SIGKILL)
        await CommandRunner.waitForExit(b.process)
        let c = try await run(["state", "rm", "demo/intro", "-C", dir.path, "--lock-timeout", "10s"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stderr.contains("took over a lock left by state rm by"))
    }

    @Test func forceUnlockEndsAHungHolderWhichThenCannotWrite() async throws {
        let dir = try quickstart()
        #expect(try await run(["apply", dir.path, "--auto-approve"]).status == 0)
        let hung = try CommandRunner.start(
            ["state", "rm", "demo/intro", "-C", dir.path],
            environment: environment.merging(["MEDIAFORM_PAUSE": "after-lock:15"]) { $1 })
        #expect(await CommandRunner.waitFor("paused at after-lock", in: hung.stderr))
        let refused = try await run(["state", "rm", "demo/interview", "-C", dir.path])
        let id = try #require(refused.stderr.firstMatch(of: /force-unlock ([0-9a-f-]{36})/)?.1)
        let unlock = try await run(["force-unlock", String(id), "-C", dir.path])
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stderr.contains("Removed the lock \(id)"))
        // The other run now gets the lock at once.
        let next = try await run(["state", "rm", "demo/interview", "-C", dir.path])
        #expect(next.status == 0, "\(next.stderr)")
        await CommandRunner.waitForExit(hung.process)
        // The broken holder wakes up, and its write is refused: the fence is its closed connection.
        #expect(hung.process.terminationStatus == 1)
        let hungErr = try String(contentsOf: hung.stderr, encoding: .utf8)
        #expect(hungErr.contains("connection was closed"), "\(hungErr)")
        let list = try await run(["state", "list", "-C", dir.path])
        #expect(list.stdout == "demo/intro\ndemo/podcast-01\n")
    }

    @Test func migrateToPostgresAndBackThenPlanHasNoChanges() async throws {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("quickstart")
        try Fixtures.copyProject(Fixtures.examples.appendingPathComponent("quickstart"), to: dir)
        #expect(try await run(["apply", dir.path, "--auto-approve", "--wait"]).status == 0)
        let original = try String(contentsOf: dir.appendingPathComponent("mediaform.state.json"), encoding: .utf8)
        let name = TestDatabase.uniqueName("migrated")
        let toPostgres = try await run(["state", "migrate", "--to", "postgres", "--name", name, "-C", dir.path])
        #expect(toPostgres.status == 0, "\(toPostgres.stderr)")
        #expect(toPostgres.stderr.contains("Copied 3 assets"))
        #expect(toPostgres.stderr.contains("verified the copy"))
        #expect(toPostgres.stderr.contains("backend: postgres\n  name: \(name)"))
        // Point the project at the database, as the command says.
        let file = dir.appendingPathComponent("mediaform.yaml")
        let project = try String(contentsOf: file, encoding: .utf8)
        try (project + TestDatabase.stateSection(name: name)).write(to: file, atomically: true, encoding: .utf8)
        let plan = try await run(["plan", dir.path])
        #expect(plan.stdout == "No changes.\n", "\(plan.stderr)")
        // And back to another file: byte for byte the same state.
        let back = try await run(["state", "migrate", "--to", "local", "--path", "copy.state.json", "-C", dir.path])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("copy.state.json"), encoding: .utf8) == original)
        // A second migration into the same place is recognised; a different state there is refused.
        #expect(
            try await run(["state", "migrate", "--to", "local", "--path", "copy.state.json", "-C", dir.path]).stderr
                .contains(
                    "already holds this state"))
        let other = try await run(["state", "migrate", "--to", "postgres", "--name", name, "-C", dir.path])
        #expect(other.status == 1 && other.stderr.contains("already lives in"))
        #expect(
            try await run(["state", "migrate", "--to", "postgres", "-C", dir.path]).stderr.contains(
                "--to postgres needs --name"))
        #expect(
            try await run([
                "state", "migrate", "--to", "postgres", "--name", "x", "--url", "postgres://u:secret@h/db", "-C",
                dir.path,
            ]).stderr.contains("must not contain a password"))
    }

    @Test func thePasswordNeverAppearsInOutputOrFiles() async throws {
        let url = try #require(TestDatabase.url)
        guard case .success(let parsed) = PostgresURL.parse(url), let password = parsed.password else {
            Issue.record("the test URL has no password")
            return
        }
        let dir = try quickstart()
        var outputs: [String] = []
        for arguments in [
            ["apply", dir.path, "--auto-approve", "--wait"], ["plan", dir.path, "--format", "json"],
            ["state", "list", "-C", dir.path],
            ["state", "show", "demo/intro", "-C", dir.path],
            ["plan", dir.path, "--out", dir.appendingPathComponent("p.plan").path],
            ["show", dir.appendingPathComponent("p.plan").path], ["force-unlock", "nope", "-C", dir.path],
        ] {
            let result = try await run(arguments)
            outputs += [result.stdout, result.stderr]
        }
        let wrong = url.replacingOccurrences(of: ":\(password)@", with: ":not-\(password)@")
        let denied = try await CommandRunner.run(
            ["plan", dir.path], environment: [PostgresStateSettings.urlVariable: wrong])
        #expect(denied.status == 1 && denied.stderr.contains("password authentication failed"), "\(denied.stderr)")
        outputs += [denied.stdout, denied.stderr]
        for output in outputs { #expect(!output.contains(password)) }
        for file in FileManager.default.enumerator(atPath: dir.path)?.compactMap({ $0 as? String }) ?? [] {
            let data = (try? Data(contentsOf: dir.appendingPathComponent(file))) ?? Data()
            #expect(!String(decoding: data, as: UTF8.self).contains(password), "\(file)")
        }
        // A password in the committed project file is an error, located.
        let file = dir.appendingPathComponent("mediaform.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + "  url: postgres://ci:hunter2@db.example.com/media\n").write(
            to: file, atomically: true, encoding: .utf8)
        let invalid = try await CommandRunner.run(["validate", dir.path])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("state.url must not contain a password"))
        #expect(!invalid.stderr.contains("hunter2"))
    }
}
