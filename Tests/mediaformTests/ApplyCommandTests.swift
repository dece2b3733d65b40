import Foundation
import MediaformCore
import MediaformEmulator
import MediaformKit
import MediaformTestSupport
import Synchronization
import Testing

/// `apply` and `refresh` as subprocesses, against the built-in emulator or an emulator process.
@Suite(.serialized) struct ApplyCommandTests {
    static let fast = ["MEDIAFORM_EMULATOR_DELAY": "0.2"]

    private func quickstart() throws -> URL {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("quickstart")
        try Fixtures.copyProject(Fixtures.examples.appendingPathComponent("quickstart"), to: dir)
        return dir
    }

    private func state(_ dir: URL) throws -> State {
        let path = dir.appendingPathComponent("mediaform.state.json").path
        return try State.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    }

    /// The jobs the built-in emulator of `dir` created.
    private func emulatorJobs(_ dir: URL) async throws -> JSONValue {
        let service = try EmulatorService(
            configuration: EmulatorConfiguration(dataDirectory: dir.appendingPathComponent(".mediaform/emulator").path))
        return await service.introspection()
    }

    private func edit(_ dir: URL, _ from: String, _ to: String) throws {
        let file = dir.appendingPathComponent("assets/demo.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(from))
        try text.replacingOccurrences(of: from, with: to).write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func quickstartAppliesEndToEndAndThenHasNoChanges() async throws {
        let dir = try quickstart()
        let result = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--wait"], environment: Self.fast)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Apply complete: 3 submitted, 0 updated, 0 deleted. State serial 1."))
        #expect(result.stdout.contains("Every job has ended."))
        let s = try state(dir)
        #expect(s.assets.count == 3)
        #expect(s.assets.values.allSatisfy { $0.status == .ready && $0.mediaId != nil && $0.jobId != nil })
        let again = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.fast)
        #expect(again.stdout == "No changes.\n")
        let jobs = try await emulatorJobs(dir)
        #expect(jobs["jobCount"]?.intValue == 3)
    }

    @Test func titleChangeUpdatesAndRemovalDeletesOnlyWithPrune() async throws {
        let dir = try quickstart()
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: Self.fast).status
                == 0)
        try edit(dir, "title: Introduction", "title: Welcome")
        let update = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.fast)
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("1 updated"))
        let mediaId = try #require(try state(dir).assets["demo/intro"]?.mediaId)
        let server = try EmulatorServer(
            configuration: EmulatorConfiguration(dataDirectory: dir.appendingPathComponent(".mediaform/emulator").path))
        try await server.start()
        let client = IMSClient(
            configuration: ClientConfiguration(endpoint: server.endpoint),
            credentials: StaticCredentials(
                AccessKey(
                    id: EmulatorConfiguration.defaultAccessKeyId, secret: EmulatorConfiguration.defaultAccessKeySecret))
        )
        #expect(try await client.getMediaInfo(mediaId: mediaId)?.title == "Welcome")
        await server.stop()

        // Remove the podcast: an orphan without --prune, deleted with it.
        let file = dir.appendingPathComponent("assets/demo.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let cut = try #require(text.range(of: "\n  - key: demo/podcast-01"))
        try String(text[..<cut.lowerBound]).appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let orphan = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.fast)
        #expect(orphan.stdout.contains("1 orphaned"))
        #expect(try state(dir).assets["demo/podcast-01"] != nil)
        let pruned = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--prune"], environment: Self.fast)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("1 deleted"))
        #expect(try state(dir).assets["demo/podcast-01"] == nil)
    }

    @Test func withoutATerminalApplyNeedsAutoApprove() async throws {
        let dir = try quickstart()
        let result = try await CommandRunner.run(["apply", dir.path], environment: Self.fast)
        #expect(result.status == 1)
        #expect(result.stderr.contains("pass --auto-approve"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mediaform.state.json").path))
    }

    @Test func savedPlanAppliesOnceAndIsThenStale() async throws {
        let dir = try quickstart()
        let planFile = dir.appendingPathComponent("release.plan").path
        #expect(try await CommandRunner.run(["plan", dir.path, "--out", planFile]).status == 0)
        let applied = try await CommandRunner.run(["apply", planFile], environment: Self.fast)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("3 submitted"))
        let stale = try await CommandRunner.run(["apply", planFile], environment: Self.fast)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("is stale: the plan was made against no state yet"))
    }

    @Test func aCrashAfterTheUploadNeverUploadsTwice() async throws {
        let dir = try quickstart()
        let crashed = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve"],
            environment: Self.fast.merging(["MEDIAFORM_FAULT": "apply-after-upload"]) { a, _ in a })
        #expect(crashed.status != 0)
        // The jobs exist, the state does not know them yet: only the journal's intent does.
        #expect(try await emulatorJobs(dir)["jobCount"]?.intValue == 3)
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.stderr.contains("1 call(s) of an interrupted apply are unresolved"))
        let resumed = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--wait"], environment: Self.fast)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("adopted demo/intro"))
        #expect(resumed.stdout.contains("3 adopted from an interrupted run"))
        let jobs = try await emulatorJobs(dir)
        #expect(jobs["jobCount"]?.intValue == 3)
        #expect(jobs["duplicates"]?.objectValue?.isEmpty == true)
        #expect(try state(dir).assets.values.allSatisfy { $0.status == .ready })
    }

    @Test func ossSourcesAreRegisteredInPlaceOnceEvenAfterAKill() async throws {
        let dir = try quickstart()
        let manifest = dir.appendingPathComponent("assets/demo.yaml")
        try
            (try String(contentsOf: manifest, encoding: .utf8)
            + "\n  - key: demo/archive\n    source: oss://academy-media/archive/keynote.mp4\n    title: Keynote\n")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let plan = try await CommandRunner.run(["plan", dir.path, "--format", "json"])
        let json = try JSONParser.parse(plan.stdout)
        let archive = json["changes"]?.arrayValue?.first { $0["key"] == .string("demo/archive") }
        #expect(archive?["action"] == .string("create") && archive?["actions"] == .array([.string("register")]))
        // Killed after IMS registered it and before the journal knew: the intent is open.
        let crashed = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve"],
            environment: Self.fast.merging(["MEDIAFORM_FAULT": "apply-after-register"]) { a, _ in a })
        #expect(crashed.status != 0)
        let resumed = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--wait"], environment: Self.fast)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let jobs = try await emulatorJobs(dir)["jobs"]?.arrayValue ?? []
        let registered = jobs.filter { $0["uploadURL"] == .string("oss://academy-media/archive/keynote.mp4") }
        #expect(registered.count == 1)
        let record = try #require(try state(dir).assets["demo/archive"])
        #expect(record.status == .ready && record.mediaId == registered.first?["mediaId"]?.stringValue)
        #expect(try await CommandRunner.run(["plan", dir.path]).stdout == "No changes.\n")
        // Removed under prune: the media is deleted, never the object in the bucket.
        try (try String(contentsOf: manifest, encoding: .utf8)).replacingOccurrences(
            of: "\n  - key: demo/archive\n    source: oss://academy-media/archive/keynote.mp4\n    title: Keynote\n",
            with: "\n"
        ).write(to: manifest, atomically: true, encoding: .utf8)
        let pruned = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--prune"], environment: Self.fast)
        #expect(pruned.status == 0 && pruned.stdout.contains("- delete demo/archive"), "\(pruned.stdout)")
    }

    @Test func droppedResponsesAreLookedUpNotResubmitted() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.2, dropRate: 1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try quickstart()
        let projectFile = dir.appendingPathComponent("mediaform.yaml")
        try String(contentsOf: projectFile, encoding: .utf8).replacingOccurrences(
            of: "endpoint: emulator", with: "endpoint: \(endpoint)"
        )
        .write(to: projectFile, atomically: true, encoding: .utf8)
        let env = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": EmulatorConfiguration.defaultAccessKeyId,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": EmulatorConfiguration.defaultAccessKeySecret,
        ]
        let result = try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("failed ambiguously"))
        let jobs = await server.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 3)
        #expect(try state(dir).assets.values.allSatisfy { $0.status == .ready })
    }

    @Test func failedJobsAreReportedWithExit3AndRetriedNextTime() async throws {
        let source = try LoopbackServer { _ in .respond(status: 404, headers: [:], body: "") }
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.2, checkSources: true))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: broken\n    source: \(source.endpoint)/missing.mp4\n    title: Broken\n")
        let env = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": EmulatorConfiguration.defaultAccessKeyId,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": EmulatorConfiguration.defaultAccessKeySecret,
        ]
        let result = try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: env)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("1 asset failed:\n  broken: URLInvalidError: download video failed by the url"))
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.stdout.contains("retry broken  (last upload failed: URLInvalidError"))
    }

    @Test func missingCredentialsNameEverySourceAndNoSecret() async throws {
        let dir = try Builders.writeProject(
            assets: "assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n")
        let home = try Fixtures.temporaryDirectory("home")
        let result = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve"], environment: ["HOME": home.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no Alibaba Cloud credentials found; tried:"))
        #expect(result.stderr.contains(".aliyun/config.json: not found"))
    }
}

/// `import`, `refresh` and Ctrl-C.
@Suite(.serialized) struct ImportRefreshSignalTests {
    static let credentials = [
        "ALIBABA_CLOUD_ACCESS_KEY_ID": EmulatorConfiguration.defaultAccessKeyId,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": EmulatorConfiguration.defaultAccessKeySecret,
    ]

    /// A client of the emulator at `endpoint` acting as a person in the IMS console (edits, deletes, uploads).
    static func console(_ endpoint: String) -> IMSClient {
        IMSClient(
            configuration: ClientConfiguration(endpoint: endpoint),
            credentials: StaticCredentials(
                AccessKey(
                    id: EmulatorConfiguration.defaultAccessKeyId, secret: EmulatorConfiguration.defaultAccessKeySecret))
        )
    }

    @Test func importAdoptsExistingMediaAndPlansTheDifference() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let client = IMSClient(
            configuration: ClientConfiguration(endpoint: endpoint),
            credentials: StaticCredentials(
                AccessKey(
                    id: EmulatorConfiguration.defaultAccessKeyId, secret: EmulatorConfiguration.defaultAccessKeySecret))
        )
        let jobs = try await client.uploadMediaByURL(
            UploadRequest(items: [
                UploadItem(sourceURL: "https://m.example.com/old.mp4", metadata: ["Title": .string("Old title")])
            ]))
        let mediaId = try #require(jobs.first?.mediaId)
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: legacy\n    source: https://m.example.com/old.mp4\n    title: New title\n")
        let imported = try await CommandRunner.run(
            ["import", "legacy", mediaId, "-C", dir.path], environment: Self.credentials)
        #expect(imported.status == 0, "\(imported.stderr)")
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.stdout.contains("~ update legacy  (title changed)\n    title: \"Old title\" → \"New title\""))
        let again = try await CommandRunner.run(
            ["import", "legacy", mediaId, "-C", dir.path], environment: Self.credentials)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already in the state"))
    }

    @Test func refreshTracksJobsOnePass() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.5))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n")
        let applied = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.credentials)
        #expect(applied.stdout.contains("1 job(s) running"))
        try await Task.sleep(nanoseconds: 700_000_000)
        let refreshed = try await CommandRunner.run(["refresh", dir.path], environment: Self.credentials)
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(refreshed.stdout.hasPrefix("Refreshed 1 job(s): 1 ready, 0 failed, 0 still running."))
        let again = try await CommandRunner.run(["refresh", dir.path], environment: Self.credentials)
        #expect(again.stdout == "Read 1 media; 0 changed outside mediaform. State serial 3.\n", "\(again.stdout)")
        let jobsOnly = try await CommandRunner.run(["refresh", dir.path, "--jobs-only"], environment: Self.credentials)
        #expect(jobsOnly.stdout == "Nothing to refresh: no media recorded and no upload in progress.\n")
    }

    @Test func aLostStateIsRebuiltAndTheRestOfTheLibraryImported() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        var assets = "assets:\n"
        for i in 0..<25 {
            assets += "  - key: clip-\(i)\n    source: https://m.example.com/clip-\(i).mp4\n    title: C\(i)\n"
        }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n", assets: assets)
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: Self.credentials)
                .status == 0)
        // Someone else uploaded clip-3's source once more, and two media of their own.
        let console = Self.console(endpoint)
        for url in [
            "https://m.example.com/clip-3.mp4", "https://other.example.com/a/x.mp4",
            "https://other.example.com/a/y.mp3",
        ] {
            _ = try await console.uploadMediaByURL(
                UploadRequest(
                    items: [UploadItem(sourceURL: url, metadata: ["Title": .string("By hand")])],
                    appId: Project.defaultAppId))
        }
        // The state is lost (a CI job that did not keep it).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("mediaform.state.json"))
        try? FileManager.default.removeItem(at: dir.appendingPathComponent(".mediaform"))
        let lost = try await CommandRunner.run(["plan", dir.path])
        #expect(lost.stdout.contains("Plan: 25 to upload"))

        let dry = try await CommandRunner.run(["state", "rebuild", "-C", dir.path], environment: Self.credentials)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(
            dry.stdout.contains("25 asset(s) matched to media (1 with several media for one source"), "\(dry.stdout)")
        #expect(dry.stdout.contains("2 media match no manifest source"))
        #expect(dry.stdout.hasSuffix("Nothing was written; record it with --write.\n"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("mediaform.state.json").path))
        let written = try await CommandRunner.run(
            ["state", "rebuild", "-C", dir.path, "--write"], environment: Self.credentials)
        #expect(written.status == 0, "\(written.stderr)")
        let again = try await CommandRunner.run(
            ["state", "rebuild", "-C", dir.path, "--write"], environment: Self.credentials)
        #expect(again.status == 1 && again.stderr.contains("already holds 25 record(s)"))
        // clip-3 keeps the media mediaform uploaded (its marker), not the newer one made by hand.
        let show = try await CommandRunner.run(["state", "show", "clip-3", "-C", dir.path])
        let jobs = await server.service.introspection()["jobs"]?.arrayValue ?? []
        let first = jobs.first { $0["uploadURL"] == .string("https://m.example.com/clip-3.mp4") }
        #expect(show.stdout.contains(first?["mediaId"]?.stringValue ?? "?"), "\(show.stdout)")
        let plan = try await CommandRunner.run(["plan", dir.path, "--detailed-exitcode"])
        #expect(plan.status == 0 && plan.stdout == "No changes.\n", "\(plan.stdout)")

        // The rest of the library becomes manifests.
        let outside = try await CommandRunner.run(
            ["import", "--all", "--out", dir.appendingPathComponent("imported.yaml").path, "-C", dir.path],
            environment: Self.credentials)
        #expect(outside.status == 1 && outside.stderr.contains("is not matched by 'manifests'"), "\(outside.stderr)")
        let out = dir.appendingPathComponent("assets/imported.yaml").path
        let imported = try await CommandRunner.run(
            ["import", "--all", "--out", out, "-C", dir.path, "--media-type", "video"], environment: Self.credentials)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported 1 media into"), "\(imported.stdout)")
        #expect(imported.stdout.contains("its source is manifest asset 'clip-3''s"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("- key: \"a/x.mp4\"") && !text.contains("y.mp3"))
        #expect(try await CommandRunner.run(["validate", dir.path]).status == 0)
        let after = try await CommandRunner.run(["plan", dir.path, "--prune", "--detailed-exitcode"])
        #expect(after.status == 0 && after.stdout == "No changes.\n", "\(after.stdout)")
        let exists = try await CommandRunner.run(
            ["import", "--all", "--out", out, "-C", dir.path], environment: Self.credentials)
        #expect(exists.status == 1 && exists.stderr.contains("exists; name a new file"))
        #expect(await server.service.introspection()["jobCount"]?.intValue == 28)
    }

    @Test func checkSourcesRefusesBeforeAnythingIsSentAndOnlyWithTheFlagTouchesTheNetwork() async throws {
        let media = try LoopbackServer { request in
            request.path == "/good.mp4"
                ? .respond(status: 200, headers: ["Content-Type": "video/mp4", "Content-Length": "5"], body: "")
                : .respond(status: 404, headers: [:], body: "")
        }
        defer { media.stop() }
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let base = "http://127.0.0.1:\(media.port)"
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: good\n    source: \(base)/good.mp4\n    title: G\n"
                + "  - key: gone\n    source: \(base)/gone.mp4?Expires=9999999999&Signature=SECRET\n    title: X\n")
        // Without the flag, nothing is requested.
        #expect(try await CommandRunner.run(["validate", dir.path]).status == 0)
        #expect(try await CommandRunner.run(["plan", dir.path]).status == 0)
        #expect(media.requests.isEmpty)

        let validated = try await CommandRunner.run(["validate", dir.path, "--check-sources"])
        #expect(validated.status == 1)
        #expect(
            validated.stderr.contains("a.yaml:6:13: error: the source answers HTTP 404 to HEAD: \(base)/gone.mp4"),
            "\(validated.stderr)")
        #expect(!validated.stderr.contains("SECRET"))
        let planned = try await CommandRunner.run(["plan", dir.path, "--check-sources"])
        #expect(planned.status == 1 && planned.stdout.contains("+ create gone"))
        let applied = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--check-sources"], environment: Self.credentials)
        #expect(applied.status == 1)
        #expect(applied.stderr.contains("1 source problem(s) found; nothing was sent"), "\(applied.stderr)")
        #expect(await server.service.introspection()["jobCount"]?.intValue == 0)

        // Once applied, plan checks only what it would upload: nothing.
        try "assets:\n  - key: good\n    source: \(base)/good.mp4\n    title: G\n".write(
            to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let ok = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--check-sources"], environment: Self.credentials)
        #expect(ok.status == 0, "\(ok.stderr)")
        let before = media.requests.count
        #expect(try await CommandRunner.run(["plan", dir.path, "--check-sources"]).status == 0)
        #expect(media.requests.count == before)
    }

    @Test func aSavedRefreshedPlanReadsTheLibraryAgainWhenApplied() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n")
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: Self.credentials)
                .status == 0)
        let mediaId = try #require(
            try await LocalStateBackend(settings: .init(), directory: dir.path).read().state.assets["a"]?.mediaId)
        let console = Self.console(endpoint)
        func edit(_ title: String) async throws {
            try await console.updateMediaInfo(
                mediaId: mediaId, title: title, description: nil, tags: [], cateId: nil, coverURL: nil)
        }
        let planFile = dir.appendingPathComponent("p.json").path
        try await edit("First edit")
        #expect(
            try await CommandRunner.run(
                ["plan", dir.path, "--refresh", "--out", planFile], environment: Self.credentials
            )
            .status == 0)
        // The library changed again after review: the plan made now differs from the reviewed one.
        try await edit("Second edit")
        let refused = try await CommandRunner.run(["apply", planFile], environment: Self.credentials)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("field 'title' differs"), "\(refused.stderr)")
        #expect(try await console.getMediaInfo(mediaId: mediaId)?.title == "Second edit")
        // Planned and applied as reviewed.
        #expect(
            try await CommandRunner.run(
                ["plan", dir.path, "--refresh", "--out", planFile], environment: Self.credentials
            )
            .status == 0)
        let applied = try await CommandRunner.run(["apply", planFile], environment: Self.credentials)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try await console.getMediaInfo(mediaId: mediaId)?.title == "A")
    }

    @Test func consoleEditsAndDeletionsAreSeenByRefreshAndDeniedReadsChangeNothing() async throws {
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: a\n    source: https://m.example.com/a.mp4\n    title: A\n"
                + "  - key: b\n    source: https://m.example.com/b.mp4\n    title: B\n    protect: true\n")
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: Self.credentials)
                .status == 0)
        let state = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state
        // The console: a title edited, a protected media deleted.
        let console = Self.console(endpoint)
        try await console.updateMediaInfo(
            mediaId: try #require(state.assets["a"]?.mediaId), title: "From the console", description: nil, tags: [],
            cateId: nil, coverURL: nil)
        _ = try await console.deleteMediaInfos(mediaIds: [try #require(state.assets["b"]?.mediaId)])

        // A plain plan sees nothing; plan --refresh sees both, and writes nothing.
        #expect(try await CommandRunner.run(["plan", dir.path]).stdout == "No changes.\n")
        let refreshedPlan = try await CommandRunner.run(
            ["plan", dir.path, "--refresh", "--format", "json"], environment: Self.credentials)
        #expect(refreshedPlan.status == 0, "\(refreshedPlan.stderr)")
        let json = try JSONParser.parse(refreshedPlan.stdout)
        let changes = json["changes"]?.arrayValue ?? []
        let a = try #require(changes.first { $0["key"] == .string("a") })
        #expect(a["action"] == .string("update") && a["drift"] == .bool(true))
        #expect(a["fields"]?.arrayValue?.first?["before"] == .string("From the console"))
        let b = try #require(changes.first { $0["key"] == .string("b") })
        #expect(b["action"] == .string("missing") && b["drift"] == .bool(true))
        #expect(refreshedPlan.stderr.contains("Read 2 media from IMS: 2 changed outside mediaform."))
        let untouched = try await LocalStateBackend(settings: .init(), directory: dir.path).read().state
        #expect(untouched == state)

        // Reads denied: exit 1, the count, nothing planned, nothing recorded.
        var denying = EmulatorConfiguration(processDelay: 0.1)
        denying.deny = ["BatchGetMediaInfos"]
        let denied = try EmulatorServer(configuration: denying)
        let deniedEndpoint = try await denied.start()
        defer { Task { await denied.stop() } }
        let project = dir.appendingPathComponent("mediaform.yaml")
        let original = try String(contentsOf: project, encoding: .utf8)
        try original.replacingOccurrences(of: endpoint, with: deniedEndpoint)
            .write(to: project, atomically: true, encoding: .utf8)
        for command in [
            ["plan", dir.path, "--refresh"], ["refresh", dir.path], ["apply", dir.path, "--refresh", "--auto-approve"],
        ] {
            let result = try await CommandRunner.run(command, environment: Self.credentials)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains("Forbidden.RAM"), "\(result.stderr)")
            #expect(result.stderr.contains("2 of 2 media could not be read"), "\(result.stderr)")
            #expect(!result.stdout.contains("create") && !result.stdout.contains("delete"))
        }
        #expect(try await LocalStateBackend(settings: .init(), directory: dir.path).read().state == state)

        // refresh records the library; then a plain plan shows the drift, and apply sets it back.
        try original.write(to: project, atomically: true, encoding: .utf8)
        let recorded = try await CommandRunner.run(["refresh", dir.path], environment: Self.credentials)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout.contains("  a: title \"A\" → \"From the console\"\n"), "\(recorded.stdout)")
        #expect(recorded.stdout.contains("  b: deleted\n"))
        let plan = try await CommandRunner.run(["plan", dir.path])
        #expect(plan.stdout.contains("~ update a  (title changed outside mediaform"), "\(plan.stdout)")
        #expect(plan.stdout.contains("? missing b  (deleted outside mediaform; protected"), "\(plan.stdout)")
        let applied = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.credentials)
        #expect(applied.status == 0, "\(applied.stderr)")
        let remote = try await console.getMediaInfo(mediaId: try #require(state.assets["a"]?.mediaId))
        #expect(remote?.title == "A")
        #expect(await server.service.introspection()["jobCount"]?.intValue == 2)
    }

    @Test func firstInterruptStopsDispatchingAndSavesTheState() async throws {
        // Slow answers keep the apply busy long enough to interrupt it.
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.1, latency: 0.3))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        var assets = "assets:\n"
        for i in 0..<200 { assets += "  - key: a\(i)\n    source: https://m.example.com/a\(i).mp4\n    title: A\(i)\n" }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\nlimits: {parallelism: 1}\n",
            assets: assets)
        let run = try CommandRunner.start(["apply", dir.path, "--auto-approve"], environment: Self.credentials)
        try await Task.sleep(nanoseconds: 1_000_000_000)
        kill(run.process.processIdentifier, SIGINT)
        await CommandRunner.waitForExit(run.process)
        #expect(run.process.terminationStatus == 130)
        let stderr = try String(contentsOf: run.stderr, encoding: .utf8)
        #expect(stderr.contains("stopping: no new calls"))
        let path = dir.appendingPathComponent("mediaform.state.json").path
        let state = try State.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        #expect(state.assets.count > 0 && state.assets.count < 200)
        // Every job the emulator created is in the state, or in a journal intent the next apply resolves.
        let journal = try String(
            contentsOfFile: dir.appendingPathComponent(".mediaform/mediaform.state.json.journal").path, encoding: .utf8)
        let jobs = await server.service.introspection()
        if journal.isEmpty { #expect(Int64(state.assets.count) == jobs["jobCount"]?.intValue) }
        let resumed = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: Self.credentials)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = await server.service.introspection()
        #expect(after["jobCount"]?.intValue == 200)
        #expect(after["duplicates"]?.objectValue?.isEmpty == true)
    }
}

/// Two applies on one state.
@Suite(.serialized) struct ConcurrentApplyTests {
    @Test func secondApplyFailsNamingTheFirstOrWaitsForIt() async throws {
        let dir = try Fixtures.temporaryDirectory().appendingPathComponent("quickstart")
        try Fixtures.copyProject(Fixtures.examples.appendingPathComponent("quickstart"), to: dir)
        let env = ["MEDIAFORM_EMULATOR_DELAY": "0.2"]
        let first = try CommandRunner.start(
            ["apply", dir.path, "--auto-approve"],
            environment: env.merging(["MEDIAFORM_PAUSE": "after-lock:20"]) { a, _ in a })
        #expect(await CommandRunner.waitFor("paused at after-lock", in: first.stderr))
        let refused = try await CommandRunner.run(["apply", dir.path, "--auto-approve"], environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the state is locked: held by apply by"))
        #expect(refused.stderr.contains("(pid \(first.process.processIdentifier))"))
        let waited = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--lock-timeout", "30s"], environment: env)
        await CommandRunner.waitForExit(first.process)
        #expect(first.process.terminationStatus == 0)
        #expect(waited.status == 0, "\(waited.stderr)")
        // The first applied everything; the second, once it had the lock, found nothing to do.
        #expect(waited.stdout.hasPrefix("No changes") || waited.stdout.contains("0 submitted"))
    }
}

/// Replace, protect and the retry of a failed job, end to end.
@Suite(.serialized) struct ReplaceProtectRetryTests {
    static let fast = ["MEDIAFORM_EMULATOR_DELAY": "0.2"]

    private func state(_ dir: URL) throws -> State {
        let path = dir.appendingPathComponent("mediaform.state.json").path
        return try State.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    }

    @Test func replaceUploadsAgainAndPruneDeletesTheOldMediaButNeverAProtectedOne() async throws {
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: emulator\n",
            assets: """
                assets:
                  - key: lecture
                    source: https://m.example.com/lecture-v1.mp4
                    title: Lecture
                  - key: keeper
                    source: https://m.example.com/keeper.mp4
                    title: Keeper
                    protect: true

                """)
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: Self.fast).status
                == 0)
        let oldMedia = try #require(try state(dir).assets["lecture"]?.mediaId)
        let file = dir.appendingPathComponent("assets/a.yaml")
        var text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "lecture-v1.mp4", with: "lecture-v2.mp4")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let plan = try await CommandRunner.run(["plan", dir.path, "--prune"])
        #expect(
            plan.stdout.contains(
                "-/+ replace lecture  (source changed; the media is uploaded again and the old media deleted)"))
        let replaced = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--prune", "--wait"], environment: Self.fast)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.contains("1 submitted"))
        let newRecord = try #require(try state(dir).assets["lecture"])
        #expect(newRecord.mediaId != oldMedia && newRecord.status == .ready)
        #expect(newRecord.source == "https://m.example.com/lecture-v2.mp4")
        let service = try MediaformEmulator.EmulatorService(
            configuration: EmulatorConfiguration(dataDirectory: dir.appendingPathComponent(".mediaform/emulator").path))
        let jobs = await service.introspection()
        let deleted = jobs["jobs"]?.arrayValue?.first { $0["mediaId"]?.stringValue == oldMedia }?["deleted"]?.boolValue
        #expect(deleted == true)

        // The protected asset leaves the manifests: with --prune it is reported, kept, and its media untouched.
        text = try String(contentsOf: file, encoding: .utf8)
        let cut = try #require(text.range(of: "\n  - key: keeper"))
        try String(text[..<cut.lowerBound]).appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let pruned = try await CommandRunner.run(
            ["apply", dir.path, "--auto-approve", "--prune"], environment: Self.fast)
        #expect(
            pruned.stdout.contains("! orphan keeper  (not in the manifests; protected, so never deleted)")
                || pruned.stdout.contains("No changes."))
        #expect(try state(dir).assets["keeper"] != nil)
    }

    @Test func aFailedJobIsRetriedByTheNextApply() async throws {
        let available = Mutex(false)
        let source = try LoopbackServer { _ in
            available.withLock { $0 }
                ? .respond(status: 200, headers: [:], body: "media") : .respond(status: 404, headers: [:], body: "")
        }
        let server = try EmulatorServer(configuration: EmulatorConfiguration(processDelay: 0.2, checkSources: true))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: "assets:\n  - key: flaky\n    source: \(source.endpoint)/flaky.mp4\n    title: Flaky\n")
        let env = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": EmulatorConfiguration.defaultAccessKeyId,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": EmulatorConfiguration.defaultAccessKeySecret,
        ]
        #expect(
            try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: env).status == 3)
        #expect(try state(dir).assets["flaky"]?.status == .failed)
        available.withLock { $0 = true }
        let retried = try await CommandRunner.run(["apply", dir.path, "--auto-approve", "--wait"], environment: env)
        #expect(retried.status == 0, "\(retried.stdout)\(retried.stderr)")
        #expect(retried.stdout.contains("+   retry flaky") || retried.stdout.contains("+ retry flaky"))
        let record = try #require(try state(dir).assets["flaky"])
        #expect(record.status == .ready && record.lastError == nil)
        let jobs = await server.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 2)  // the failed job and its retry: never two live uploads
    }
}
