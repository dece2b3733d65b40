import Foundation
import MediaformCore
import MediaformEmulator
import MediaformTestSupport
import Testing

@testable import MediaformKit

/// Categories as code against the emulator over loopback HTTP (issue 17): the tree created before the uploads that
/// go into it, adopted instead of duplicated, kept while in use, put back after console edits, renamed on record.
@Suite struct CategoryApplyTests {
    private static let assets = """
        assets:
          - key: swift-1
            source: https://media.example.com/swift-1.mp4
            title: Swift 1
            category: Courses/Swift
          - key: go-1
            source: https://media.example.com/go-1.mp4
            title: Go 1
            category: Courses/Go
          - key: plain
            source: https://media.example.com/plain.mp4
            title: Plain
        """

    private func project(_ categories: [String], section: String = "") -> String {
        "version: 1\nregion: cn-shanghai\n" + section + "categories:\n"
            + categories.map { "  - \"\($0)\"\n" }.joined()
    }

    private func run(
        _ dir: URL, _ server: EmulatorServer, _ options: ApplyRun.Options = ApplyRun.Options()
    ) async throws -> ApplyRun.Outcome {
        let client = client(server)
        let workspace = await Workspace.open(directory: dir.path, environment: TestDatabase.environment)
        #expect(!workspace.project.hasErrors, "\(workspace.project.diagnostics)")
        return try await ApplyRun(
            workspace: workspace, options: options, connect: { _ in APIConnection(client: client) },
            approve: { _ in true }
        ).run()
    }

    private func tree(_ server: EmulatorServer) async throws -> [String: RemoteCategory] {
        RemoteCategory.paths(of: try await client(server).categoryTree())
    }

    @Test(arguments: BackendConformanceTests.Kind.testable)
    func theTreeIsCreatedBeforeTheUploadsThatGoIntoItOnEitherBackend(_ kind: BackendConformanceTests.Kind)
        async throws
    {
        let server = try await emulator()
        let section = kind == .postgres ? TestDatabase.stateSection(name: TestDatabase.uniqueName("categories")) : ""
        let dir = try Builders.writeProject(
            project: project(["Courses/Swift", "Courses/Go"], section: section), assets: Self.assets)
        let first = try applied(try await run(dir, server))
        #expect(first.plan.categories.map(\.path) == ["Courses", "Courses/Go", "Courses/Swift"])
        #expect(first.report.failures.isEmpty && first.report.submitted == 3)
        let remote = try await tree(server)
        #expect(Set(remote.keys) == ["Courses", "Courses/Go", "Courses/Swift"])
        #expect(first.state.categories.mapValues(\.id) == remote.mapValues(\.id))
        // The media went into the categories the paths name.
        let media = try #require(first.state.assets["swift-1"]?.mediaId)
        let info = try await client(server).getMediaInfo(mediaId: media)
        #expect(info?.cateId == remote["Courses/Swift"]?.id)
        #expect(first.state.assets["plain"]?.fields.category == nil)
        // Read back from the backend: nothing more to do.
        guard case .noChanges = try await run(dir, server) else {
            Issue.record("a second apply found changes")
            return
        }
        await server.stop()
    }

    @Test func categoriesIMSAlreadyHasAreAdoptedNotCreatedAgain() async throws {
        let server = try await emulator()
        let console = client(server)
        let courses = try await console.addCategory(name: "Courses", parentId: nil)
        let swift = try await console.addCategory(name: "Swift", parentId: courses.id)
        let dir = try Builders.writeProject(project: project(["Courses/Swift", "Courses/Go"]), assets: Self.assets)
        let result = try applied(try await run(dir, server))
        #expect(result.state.categories["Courses"]?.id == courses.id)
        #expect(result.state.categories["Courses/Swift"]?.id == swift.id)
        #expect(try await console.categoryTree().count == 3)
        await server.stop()
    }

    @Test func anInterruptedCreateIsSettledByReadingTheTreeNotByCreatingAgain() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(project: project(["Courses/Swift", "Courses/Go"]), assets: Self.assets)
        // A run journaled its AddCategory and was killed after IMS made the category, before the answer was recorded.
        let workspace = await Workspace.open(directory: dir.path)
        let (lock, _) = try await workspace.backend.lock(operation: "test", timeout: 0)
        try await lock.append([.intent(Intent(id: "mf-killed", operation: .createCategory, keys: ["Courses"]))])
        await lock.release()
        let made = try await client(server).addCategory(name: "Courses", parentId: nil)
        let result = try applied(try await run(dir, server))
        #expect(result.report.unresolved == 0 && result.report.failures.isEmpty)
        #expect(result.state.categories["Courses"]?.id == made.id)
        #expect(try await client(server).categoryTree().count == 3)
        #expect(try await workspace.backend.read().unresolved.isEmpty)
        await server.stop()
    }

    @Test func aCategoryThatCannotBeCreatedFailsOnlyTheAssetsInIt() async throws {
        let server = try await emulator { $0.deny = ["AddCategory"] }
        let dir = try Builders.writeProject(project: project(["Courses/Swift", "Courses/Go"]), assets: Self.assets)
        let result = try applied(try await run(dir, server))
        let failed = Set(result.report.failures.map(\.key))
        #expect(failed.isSuperset(of: ["category Courses", "swift-1", "go-1"]))
        #expect(result.report.submitted == 1 && result.state.assets.keys.sorted() == ["plain"])
        #expect(result.state.categories.isEmpty)
        await server.stop()
    }

    @Test func removedCategoriesAreDeletedUnderPruneDeepestFirstButNeverWhileInUse() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(
            project: project(["Courses/Swift", "Courses/Go", "Old/Inner"]), assets: Self.assets)
        _ = try applied(try await run(dir, server))
        // Old/Inner leaves the file; Courses/Go too, but go-1 (which names no category now) stays in it.
        let kept = Self.assets.replacingOccurrences(of: "    category: Courses/Go\n", with: "")
        try project(["Courses/Swift"]).write(
            to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        try kept.write(to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let result = try applied(try await run(dir, server, ApplyRun.Options(prune: true)))
        let actions = Dictionary(uniqueKeysWithValues: result.plan.categories.map { ($0.path, $0.action) })
        #expect(actions["Old"] == .delete && actions["Old/Inner"] == .delete && actions["Courses/Go"] == .orphan)
        #expect(Set(try await tree(server).keys) == ["Courses", "Courses/Go", "Courses/Swift"])
        #expect(Set(result.state.categories.keys) == ["Courses", "Courses/Go", "Courses/Swift"])
        await server.stop()
    }

    @Test func consoleRenamesAndDeletionsAreFoundByARefreshAndSetBack() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(project: project(["Courses/Swift", "Courses/Go"]), assets: Self.assets)
        let first = try applied(try await run(dir, server))
        let console = client(server)
        let goId = try #require(first.state.categories["Courses/Go"]?.id)
        try await console.updateCategory(id: try #require(first.state.categories["Courses"]?.id), name: "Lessons")
        try await console.deleteCategory(id: goId)
        let result = try applied(try await run(dir, server, ApplyRun.Options(refresh: true)))
        let actions = Dictionary(uniqueKeysWithValues: result.plan.categories.map { ($0.path, $0.action) })
        #expect(actions["Courses"] == .rename && actions["Courses/Go"] == .create)
        #expect(result.plan.changes.first { $0.key == "go-1" }?.action == .update)
        let remote = try await tree(server)
        #expect(Set(remote.keys) == ["Courses", "Courses/Go", "Courses/Swift"])
        let newGo = try #require(remote["Courses/Go"]?.id)
        #expect(newGo != goId && result.state.categories["Courses/Go"]?.id == newGo)
        let media = try #require(result.state.assets["go-1"]?.mediaId)
        #expect(try await console.getMediaInfo(mediaId: media)?.cateId == newGo)
        await server.stop()
    }

    @Test func aRecordedRenameIsSentAsUpdateCategoryAndKeepsTheMedia() async throws {
        let server = try await emulator()
        let dir = try Builders.writeProject(project: project(["Courses/Swift", "Courses/Go"]), assets: Self.assets)
        let first = try applied(try await run(dir, server))
        try project(["Courses/Swift", "Courses/Golang"]).write(
            to: dir.appendingPathComponent("mediaform.yaml"), atomically: true, encoding: .utf8)
        try Self.assets.replacingOccurrences(of: "Courses/Go\n", with: "Courses/Golang\n").write(
            to: dir.appendingPathComponent("assets/a.yaml"), atomically: true, encoding: .utf8)
        let workspace = await Workspace.open(directory: dir.path)
        // By path alone, a create and an orphan, with the hint.
        let unrecorded = Planner.plan(
            project: workspace.project.project, assets: workspace.project.assets,
            state: try await workspace.backend.read().state, prune: false)
        #expect(
            unrecorded.categories.first { $0.path == "Courses/Go" }?.reason.contains(
                "mediaform state mv-category 'Courses/Go' 'Courses/Golang'") == true)
        _ = try await StateEdit.moveCategory(
            from: "Courses/Go", to: "Courses/Golang", in: workspace.backend, lockTimeout: 0)
        let result = try applied(try await run(dir, server))
        #expect(result.plan.categories.filter { $0.action.isChange }.map(\.action) == [.rename])
        #expect(!result.plan.changes.contains { $0.action.isChange })
        let remote = try await tree(server)
        #expect(remote["Courses/Golang"]?.id == first.state.categories["Courses/Go"]?.id)
        #expect(remote["Courses/Go"] == nil)
        await server.stop()
    }
}
