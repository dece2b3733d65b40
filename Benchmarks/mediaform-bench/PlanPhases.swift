import Foundation
import MediaformCore
import MediaformKit

/// Times the phases of a no-change `plan`: manifest load, state read, planning, rendering.
enum PlanPhases {
    static func run(directory: String) {
        var loaded: LoadedProject!
        let load = Timer.measure { loaded = ProjectLoader.load(directory: directory) }
        let backend = Workspace.makeBackend(state: loaded.project.state, directory: directory)
        var state: LoadedState!
        let read = Timer.measure { state = try! backend.read() }
        var plan: Plan!
        let planning = Timer.measure {
            plan = Planner.plan(project: loaded.project, assets: loaded.assets, state: state.state, prune: false)
        }
        var text = ""
        let render = Timer.measure { text = PlanRenderer.text(plan, color: false) }
        print("{\"assets\":\(loaded.assets.count),\"manifest_load_s\":\(load),\"state_read_s\":\(read),\"plan_s\":\(planning),\"render_s\":\(render),\"output_bytes\":\(text.utf8.count)}")
    }
}
