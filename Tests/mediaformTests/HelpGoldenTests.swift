import Foundation
import MediaformTestSupport
import Testing

/// `--help` of every command, against golden files: a help text is user interface, and a change to it must be seen
/// in review (re-record with `RECORD_SNAPSHOTS=1`).
@Suite struct HelpGoldenTests {
    static let commands: [[String]] = [
        [], ["init"], ["validate"], ["plan"], ["apply"], ["refresh"], ["import"], ["show"], ["state"],
        ["state", "list"],
        ["state", "show"], ["state", "mv"], ["state", "rm"], ["state", "rebuild"], ["state", "migrate"],
        ["force-unlock"], ["emulator"],
    ]

    @Test(arguments: commands)
    func helpMatchesItsGolden(_ command: [String]) async throws {
        let result = try await CommandRunner.run(command + ["--help"], environment: ["COLUMNS": "100"])
        #expect(result.status == 0, "\(result.stderr)")
        let name = (["mediaform"] + command).joined(separator: "-")
        let mismatch = Snapshot.mismatch(result.stdout, golden: Fixtures.path("golden/help/\(name).txt"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }
}
