import Foundation
import MediaformCore
import MediaformKit
import MediaformTestSupport
import Testing

/// `plan`, `show`, `state` and `force-unlock` run as subprocesses against real project directories.
@Suite struct PlanCommandTests {
    /// A copy of the quickstart example in a temporary directory.
    private func quickstart() throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        let target = dir.appendingPathComponent("quickstart")
        try Fixtures.copyProject(Fixtures.examples.appendingPathComponent("quickstart"), to: target)
        return target
    }

    /// Writes a state in which every asset of the project is uploaded and ready.
    private func writeReadyState(_ dir: URL) throws -> State {
        let loaded = ProjectLoader.load(directory: dir.path)
        var state = State(lineage: "00000000-0000-0000-0000-000000000001", serial: 1, generator: "test")
        for (i, asset) in loaded.assets.enumerated() {
            state.assets[asset.key] = AssetRecord(
                asset: asset, appId: loaded.project.appId, status: .ready, jobId: "job-\(i)", mediaId: "media-\(i)",
                time: Builders.time)
        }
        try state.fileText.write(
            to: dir.appendingPathComponent("mediaform.state.json"), atomically: true, encoding: .utf8)
        return state
    }

    @Test func planOfTheExampleListsTheCreates() async throws {
        // A copy: a quickstart run in the working tree leaves a state in examples/quickstart.
        let dir = try quickstart()
        let result = try await CommandRunner.run(["plan", "quickstart"], in: dir.deletingLastPathComponent())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("+ create demo/intro"))
        #expect(result.stdout.hasSuffix("Plan: 3 to upload, 0 to update, 0 to replace, 0 to delete.\n"))
        let detailed = try await CommandRunner.run(["plan", "--detailed-exitcode", dir.path])
        #expect(detailed.status == 2)
    }

    @Test func changedTitleIsOneUpdateWithOldAndNew() async throws {
        let dir = try quickstart()
        _ = try writeReadyState(dir)
        let unchanged = try await CommandRunner.run(["plan", "--detailed-exitcode", dir.path])
        #expect(unchanged.status == 0)
        #expect(unchanged.stdout == "No changes.\n")
        let manifest = dir.appendingPathComponent("assets/demo.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(
            of: "title: Introduction", with: "title: Welcome")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run(["plan", "--detailed-exitcode", dir.path])
        #expect(result.status == 2)
        #expect(
            result.stdout == """
                ~ update demo/intro  (title changed)
                    title: "Introduction" → "Welcome"

                Plan: 0 to upload, 1 to update, 0 to replace, 0 to delete.

                """)
    }

    @Test func savedPlanShowsInEveryFormatAndIsPrivate() async throws {
        let dir = try quickstart()
        let planFile = dir.appendingPathComponent("plan.json").path
        let result = try await CommandRunner.run(["plan", dir.path, "--out", planFile])
        #expect(result.status == 0)
        #expect(result.stderr.contains("Saved the plan to"))
        let attributes = try FileManager.default.attributesOfItem(atPath: planFile)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let shown = try await CommandRunner.run(["show", planFile])
        #expect(shown.status == 0)
        #expect(shown.stdout == result.stdout)
        let markdown = try await CommandRunner.run(["show", "--format", "markdown", planFile])
        #expect(markdown.stdout.hasPrefix("### mediaform plan"))
        let json = try await CommandRunner.run(["plan", "--format", "json", dir.path])
        let value = try JSONParser.parse(json.stdout)
        #expect(value["format_version"]?.stringValue == "1.0")
        #expect(value["changes"]?.arrayValue?.count == 3)
    }

    @Test func stateListShowAndRemove() async throws {
        let dir = try quickstart()
        _ = try writeReadyState(dir)
        let list = try await CommandRunner.run(["state", "list", "--project", dir.path])
        #expect(list.stdout == "demo/interview\ndemo/intro\ndemo/podcast-01\n")
        let show = try await CommandRunner.run(["state", "show", "demo/intro", "-C", dir.path])
        #expect(show.stdout.contains("\"mediaId\": \"media-0\""))
        let typo = try await CommandRunner.run(["state", "show", "demo/intr", "-C", dir.path])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("did you mean 'demo/intro'?"))
        let unknown = try await CommandRunner.run(["state", "rm", "demo/intro", "nope", "-C", dir.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not in the state: 'nope'; nothing was changed"))
        let rm = try await CommandRunner.run(["state", "rm", "demo/intro", "-C", dir.path])
        #expect(rm.status == 0, "\(rm.stderr)")
        #expect(rm.stderr.contains("serial 2"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("mediaform.state.json.backup").path))
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.stdout.contains("+ create demo/intro"))
        let showState = try await CommandRunner.run(["show", "-C", dir.path])
        #expect(showState.stdout.hasPrefix("State: 2 assets, serial 2"))
    }

    @Test func crashBetweenTemporaryWriteAndRenameLeavesTheOldState() async throws {
        let dir = try quickstart()
        let before = try writeReadyState(dir)
        let path = dir.appendingPathComponent("mediaform.state.json").path
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let crashed = try await CommandRunner.run(
            ["state", "rm", "demo/intro", "-C", dir.path], environment: ["MEDIAFORM_FAULT": "state-before-rename"])
        #expect(crashed.status != 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == original)
        // The journal already holds the removal: the next reader sees it, and the next write completes it.
        let list = try await CommandRunner.run(["state", "list", "-C", dir.path])
        #expect(list.status == 0)
        #expect(!list.stdout.contains("demo/intro"))
        let rm = try await CommandRunner.run(["state", "rm", "demo/interview", "-C", dir.path])
        #expect(rm.status == 0, "\(rm.stderr)")
        let after = try State.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        #expect(Set(after.assets.keys) == ["demo/podcast-01"])
        #expect(after.lineage == before.lineage)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.count <= 1)  // the crashed run's temporary file; never read
    }

    /// A state the previous mediaform wrote (format 1: every record's members on lines of their own, fingerprints and
    /// upload inputs written out) plans as before and is left alone by `plan`; the next write converts it to format 2
    /// and keeps it as the backup.
    @Test func aFormatOneStateIsReadAndTheNextWriteConvertsIt() async throws {
        let dir = try quickstart()
        let state = try writeReadyState(dir)
        let path = dir.appendingPathComponent("mediaform.state.json").path
        let formatOne = state.json.prettyJSON(leading: ["version", "lineage", "serial", "generator"])
            .replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 1,")
        #expect(formatOne.contains("\"version\": 1,") && formatOne.contains("\"fingerprints\": {\n"))
        try formatOne.write(toFile: path, atomically: true, encoding: .utf8)
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("No changes."))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == formatOne)

        let rm = try await CommandRunner.run(["state", "rm", "demo/intro", "-C", dir.path])
        #expect(rm.status == 0, "\(rm.stderr)")
        let after = try String(contentsOfFile: path, encoding: .utf8)
        #expect(after.hasPrefix("{\n  \"version\": 2,"))
        #expect(!after.contains("fingerprints"))
        let decoded = try State.decode(after, file: path)
        #expect(decoded.assets.count == state.assets.count - 1)
        for (key, record) in decoded.assets { #expect(record == state.assets[key], "\(key)") }
        #expect(try String(contentsOfFile: path + ".backup", encoding: .utf8) == formatOne)
    }

    @Test func corruptStateFailsWithItsLocationAndIsLeftAlone() async throws {
        let dir = try quickstart()
        let path = dir.appendingPathComponent("mediaform.state.json").path
        try "{\n  \"version\": 1,\n  \"lineage\": 7\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run(["plan", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("mediaform.state.json:3:14: expected a string"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"lineage\": 7"))
    }

    @Test func aSecondProcessWaitsOrFailsNamingTheHolderAndAKilledHolderFreesTheLock() async throws {
        let dir = try quickstart()
        _ = try writeReadyState(dir)
        // A holds the lock for 20 s (long enough for a loaded machine running the tests in parallel).
        let a = try CommandRunner.start(
            ["state", "rm", "demo/intro", "-C", dir.path], environment: ["MEDIAFORM_PAUSE": "after-lock:20"])
        #expect(await CommandRunner.waitFor("paused at after-lock", in: a.stderr))
        let refused = try await CommandRunner.run(["state", "rm", "demo/interview", "-C", dir.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the state is locked: held by state rm by"))
        #expect(refused.stderr.contains("(pid \(a.process.processIdentifier))"))
        let waited = try await CommandRunner.run([
            "state", "rm", "demo/interview", "-C", dir.path, "--lock-timeout", "40s",
        ])
        #expect(waited.status == 0, "\(waited.stderr)")
        await CommandRunner.waitForExit(a.process)
        #expect(a.process.terminationStatus == 0)

        // B holds the lock and is killed: the kernel frees it, and the next run reports the stale holder.
        let b = try CommandRunner.start(
            ["state", "rm", "demo/podcast-01", "-C", dir.path], environment: ["MEDIAFORM_PAUSE": "after-lock:30"])
        #expect(await CommandRunner.waitFor("paused at after-lock", in: b.stderr))
        kill(b.process.processIdentifier, SIGKILL)
        await CommandRunner.waitForExit(b.process)
        let next = try await CommandRunner.run(["state", "list", "-C", dir.path])
        #expect(next.status == 0)
        let c = try await CommandRunner.run(["state", "rm", "demo/podcast-01", "-C", dir.path])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stderr.contains("took over a lock left by state rm by"))
        #expect(c.stderr.contains("no longer runs"))
    }

    @Test func safetyRailsRefuseAfterShowingThePlan() async throws {
        let dir = try quickstart()
        _ = try writeReadyState(dir)
        // Every manifest gone (a wrong glob): under prune, the library would be deleted.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("assets"))
        let wiped = try await CommandRunner.run(["plan", dir.path, "--prune"])
        #expect(wiped.status == 1)
        #expect(wiped.stdout.contains("- delete demo/intro"), "\(wiped.stdout)")
        #expect(wiped.stderr.contains("error: the manifests hold no asset while the state holds 3"), "\(wiped.stderr)")
        #expect(wiped.stderr.contains("--allow-empty"))
        let allowed = try await CommandRunner.run(["plan", dir.path, "--prune", "--allow-empty"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        // The budget, from the project file and from the flag.
        let budget = try await CommandRunner.run(["plan", dir.path, "--prune", "--allow-empty", "--max-deletes", "2"])
        #expect(budget.status == 1)
        #expect(
            budget.stderr.contains(
                "error: the plan deletes 3 media, more than the deletion budget of 2 (limits.maxDeletes)"),
            "\(budget.stderr)")
        #expect(budget.stderr.contains("--max-deletes 3"))
        let refusedApply = try await CommandRunner.run([
            "apply", dir.path, "--prune", "--allow-empty", "--max-deletes", "2", "--auto-approve",
        ])
        #expect(refusedApply.status == 1)
        #expect(refusedApply.stderr.contains("more than the deletion budget of 2"), "\(refusedApply.stderr)")
    }

    @Test func renamesTargetsAndAllowOnTheCommandLine() async throws {
        let dir = try quickstart()
        _ = try writeReadyState(dir)
        let manifest = dir.appendingPathComponent("assets/demo.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "key: demo/intro", with: "key: demo/welcome")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("→ move demo/intro → demo/welcome  (renamed: "), "\(plan.stdout)")
        #expect(plan.stdout.hasSuffix("Plan: 0 to upload, 0 to update, 0 to replace, 0 to delete, 1 to move.\n"))

        let partial = try await CommandRunner.run(["plan", dir.path, "--target", "demo/p*"])
        #expect(partial.stdout == "No changes. Partial plan (--target demo/p*): 2 other assets left out.\n")
        let typo = try await CommandRunner.run(["plan", dir.path, "--target", "demo/welcom"])
        #expect(typo.status == 1)
        #expect(typo.stderr.contains("--target 'demo/welcom' matches no asset"), "\(typo.stderr)")
        #expect(typo.stderr.contains("did you mean 'demo/welcome'?"))

        // --allow refuses before connecting (this state's media IDs do not exist anywhere).
        let refused = try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--allow", "create,update"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("→ move demo/intro → demo/welcome"))
        #expect(
            refused.stderr.contains("--allow create,update does not permit: move 'demo/welcome'"), "\(refused.stderr)")
        let badList = try await CommandRunner.run(["plan", dir.path, "--allow", "create,remove"])
        #expect(badList.status != 0 && badList.stderr.contains("--allow: 'remove' is not an action"))

        // state mv records the rename by hand; onto an existing key it is refused.
        let clash = try await CommandRunner.run(["state", "mv", "demo/intro", "demo/interview", "-C", dir.path])
        #expect(clash.status == 1 && clash.stderr.contains("'demo/interview' is already in the state"))
        let moved = try await CommandRunner.run(["state", "mv", "demo/intro", "demo/welcome", "-C", dir.path])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stderr.contains("Moved 'demo/intro' to 'demo/welcome'; the state is now at serial 2."))
        let after = try await CommandRunner.run(["plan", dir.path, "--detailed-exitcode"])
        #expect(after.status == 0 && after.stdout == "No changes.\n", "\(after.stdout)")
        let show = try await CommandRunner.run(["state", "show", "demo/welcome", "-C", dir.path])
        #expect(show.stdout.contains("\"mediaId\": \"media-0\""), "\(show.stdout)")
    }
}
