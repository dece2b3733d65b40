import Foundation
import MediaformCore
import MediaformEmulator
import MediaformTestSupport
import Testing

/// Every command, run with credentials and signed source URLs: the secret, the token and the URL signatures must
/// appear in no output and no file mediaform writes (state, backup, journal, plan files, lock).
@Suite(.serialized) struct SecretHygieneTests {
    static let secret = "SUPER-SECRET-KEY-VALUE"
    static let token = "STS-TOKEN-VALUE-42"
    static let signatures = ["SIGNATURE-OF-LESSON-ONE", "AUTHKEY-OF-LESSON-TWO", "OSSKEYID-VALUE"]

    @Test func noSecretInAnyOutputOrFile() async throws {
        let server = try EmulatorServer(
            configuration: EmulatorConfiguration(
                accessKeyId: "hygiene-id", accessKeySecret: Self.secret, securityToken: Self.token, processDelay: 0.1))
        let endpoint = try await server.start()
        defer { Task { await server.stop() } }
        let dir = try Builders.writeProject(
            project: "version: 1\nregion: cn-shanghai\nendpoint: \(endpoint)\n",
            assets: """
                assets:
                  - key: lesson/1
                    source: https://bucket.oss-cn-shanghai.aliyuncs.com/one.mp4?Expires=1893456000&OSSAccessKeyId=OSSKEYID-VALUE&Signature=SIGNATURE-OF-LESSON-ONE
                    title: One
                  - key: lesson/2
                    source: https://cdn.example.com/two.mp4?auth_key=AUTHKEY-OF-LESSON-TWO
                    title: Two
                    cover: https://cdn.example.com/two.jpg?Signature=SIGNATURE-OF-LESSON-ONE&Expires=1

                """)
        let env = [
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "hygiene-id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": Self.secret,
            "ALIBABA_CLOUD_SECURITY_TOKEN": Self.token,
        ]
        let planFile = dir.appendingPathComponent("release.plan").path
        var outputs: [String] = []
        var files: [String: String] = [:]
        func run(_ arguments: [String], env extra: [String: String] = [:]) async throws {
            let result = try await CommandRunner.run(arguments, environment: env.merging(extra) { _, b in b })
            outputs.append(result.stdout + result.stderr)
        }
        try await run(["validate", dir.path])
        try await run(["plan", dir.path, "--out", planFile])
        try await run(["plan", dir.path, "--format", "json"])
        try await run(["plan", dir.path, "--format", "markdown"])
        let page = dir.appendingPathComponent("plan.html").path,
            shownPage = dir.appendingPathComponent("shown.html").path
        try await run(["plan", dir.path, "--html", page])
        try await run(["show", planFile])
        try await run(["show", planFile, "--html", shownPage])
        files["review page"] = try String(contentsOfFile: page, encoding: .utf8)
        files["review page of the saved plan"] = try String(contentsOfFile: shownPage, encoding: .utf8)
        #expect(files["review page"]?.contains("cdn.example.com/two.jpg") == true)
        // A crash after the upload keeps the journal full, to inspect it.
        try await run(["apply", dir.path, "--auto-approve"], env: ["MEDIAFORM_FAULT": "apply-after-upload"])
        let journal = try String(
            contentsOfFile: dir.appendingPathComponent(".mediaform/mediaform.state.json.journal").path, encoding: .utf8)
        #expect(!journal.isEmpty)
        try await run(["apply", dir.path, "--auto-approve", "--wait", "--format", "json"])
        try await run(["refresh", dir.path])
        try await run(["plan", dir.path, "--refresh", "--format", "json"])
        try await run(["state", "rebuild", "-C", dir.path])

        try await run(["show", "-C", dir.path])
        try await run(["show", "-C", dir.path, "--format", "json"])
        try await run(["state", "list", "-l", "-C", dir.path])
        try await run(["state", "show", "lesson/1", "-C", dir.path])
        try await run(["apply", dir.path, "--auto-approve", "--signature-version", "v1"])
        // Wrong secret: the error path must not echo the request either.
        try await run(
            ["apply", dir.path, "--auto-approve"], env: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET": "wrong-" + Self.secret])
        try await run(["state", "rm", "lesson/2", "-C", dir.path])
        // Both media become unmanaged; import --all writes them into a manifest (sources without signatures).
        try await run(["state", "rm", "lesson/1", "-C", dir.path])
        try "assets: []\n".write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let imported = dir.appendingPathComponent("assets/imported.yaml").path
        try await run(["import", "--all", "--out", imported, "-C", dir.path])
        files["imported manifest"] = try String(contentsOfFile: imported, encoding: .utf8)
        #expect(files["imported manifest"]?.contains("one.mp4") == true)
        files["journal (before resume)"] = journal
        let fm = FileManager.default
        for path in [
            "mediaform.state.json", "mediaform.state.json.backup", ".mediaform/mediaform.state.json.journal",
            ".mediaform/mediaform.state.json.lock", "release.plan",
        ] {
            let full = dir.appendingPathComponent(path).path
            files[path] = try String(contentsOfFile: full, encoding: .utf8)
            if path != ".mediaform/mediaform.state.json.lock" {
                #expect(
                    try fm.attributesOfItem(atPath: full)[.posixPermissions] as? Int == 0o600, "\(path) is not private")
            }
        }
        for needle in [Self.secret, Self.token] + Self.signatures {
            for (i, output) in outputs.enumerated() {
                #expect(!output.contains(needle), "output \(i) contains \(needle)")
            }
            for (name, text) in files { #expect(!text.contains(needle), "\(name) contains \(needle)") }
        }
        // The run really happened: both assets reached the emulator with their full signed URLs.
        let jobs = await server.service.introspection()
        #expect(jobs["jobCount"]?.intValue == 2)
        #expect(jobs.canonicalJSON.contains("SIGNATURE-OF-LESSON-ONE"))
    }
}
