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
        let elapsed = (ContinuousClock.now - started).components
        let read = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
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
}
