import Foundation
import MediaformCore
import MediaformKit

/// Times the phases of a no-change `plan`: manifest load, state read, planning, rendering.
enum PlanPhases {
    static func run(directory: String) async {
        var project: LoadedProject?
        let load = Timer.measure { project = ProjectLoader.load(directory: directory) }
        guard let loaded = project else { return }
        let backend = Workspace.makeBackend(state: loaded.project.state, directory: directory)
        var result: Result<LoadedState, StateError>?
        let started = ContinuousClock.now
        do throws(StateError) { result = .success(try await backend.read()) } catch { result = .failure(error) }
        let read = seconds(since: started)
        guard case .success(let state) = result else {
            fatalError("cannot read the state: \(String(describing: result))")
        }
        var made: Plan?
        let planning = Timer.measure {
            made = Planner.plan(project: loaded.project, assets: loaded.assets, state: state.state, prune: false)
        }
        guard let plan = made else { return }
        var bytes = 0
        // As `plan` renders: parts written as they come (here only counted).
        let render = Timer.measure { PlanRenderer.writeText(plan, color: false) { bytes += $0.count } }
        print(
            "{\"assets\":\(loaded.assets.count),\"manifest_load_s\":\(load),\"state_read_s\":\(read),\"plan_s\":\(planning),\"render_s\":\(render),\"output_bytes\":\(bytes)}"
        )
    }

    /// The phases of a plan that skips the files the manifest cache vouches for, one after the other (`plan` runs
    /// the state read beside the load): the cache's peek, the load leaving those files, the state read, the check of
    /// the cache against the records, and planning.
    static func runCached(directory: String) async {
        guard let backend = Workspace.backend(directory: directory).backend else { return }
        let start = ContinuousClock.now
        let cache = await backend.peekManifestCache()
        let peek = seconds(since: start)
        var project: LoadedProject?
        let load = Timer.measure { project = ProjectLoader.load(directory: directory, cache: cache) }
        guard let loaded = project else { return }
        let readStart = ContinuousClock.now
        guard let state = try? await backend.read() else { fatalError("cannot read the state") }
        let read = seconds(since: readStart)
        var completed = loaded
        let check = Timer.measure {
            completed = ProjectLoader.complete(loaded, state: state.state, computeDigest: false)
        }
        var made: Plan?
        let planning = Timer.measure {
            made = Planner.plan(
                project: completed.project, assets: completed.assets, unchanged: completed.unchangedKeys,
                state: state.state, prune: false)
        }
        let skipped = completed.files.filter(\.skipped).count
        print(
            "{\"skipped_files\":\(skipped),\"peek_s\":\(peek),\"manifest_load_s\":\(load),\"state_read_s\":\(read),\"cache_check_s\":\(check),\"plan_s\":\(planning),\"changes\":\(made?.changes.count ?? -1)}"
        )
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
}
