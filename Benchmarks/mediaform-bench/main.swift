import CYAML
import Foundation
import MediaformCore
import MediaformKit

/// Phase timings for loading a project: libyaml's raw event scan (the floor), our tree, and the full load with
/// validation. Usage: `mediaform-bench load DIR [--repeat N]`. Prints one JSON object per phase.
struct Timer {
    static func measure(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Counts libyaml events without building anything.
func rawScan(_ data: Data) -> Int {
    data.withUnsafeBytes { raw in
        var parser = yaml_parser_t()
        yaml_parser_initialize(&parser)
        defer { yaml_parser_delete(&parser) }
        guard let base = raw.baseAddress else { return 0 }
        yaml_parser_set_input_string(&parser, base.assumingMemoryBound(to: UInt8.self), raw.count)
        var event = yaml_event_t()
        var count = 0
        while yaml_parser_parse(&parser, &event) == 1 {
            let done = event.type == YAML_STREAM_END_EVENT
            yaml_event_delete(&event)
            count += 1
            if done { break }
        }
        return count
    }
}

func files(in directory: String) -> [String] {
    ProjectLoader.findFiles(in: directory, matching: Project.defaultManifestGlobs.map(Glob.init))
        .map { ProjectLoader.join(directory, $0) }
}

AllocatorTuning.apply()  // As `mediaform` does.
let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "tree", arguments.count >= 2 {
    let contents = files(in: arguments[arguments.startIndex + 1]).map {
        FileManager.default.contents(atPath: $0) ?? Data()
    }
    let t = Timer.measure { for c in contents { _ = YAMLLoader.load(c, file: "x") } }
    print("{\"tree_s\":\(t)}")
    exit(0)
}
if arguments.first == "make-state", arguments.count >= 2 {
    MakeState.run(directory: arguments[arguments.startIndex + 1])
    exit(0)
}
if arguments.first == "plan-cached", arguments.count >= 2 {
    await PlanPhases.runCached(directory: arguments[arguments.startIndex + 1])
    exit(0)
}
if arguments.first == "plan", arguments.count >= 2 {
    await PlanPhases.run(directory: arguments[arguments.startIndex + 1])
    exit(0)
}
if arguments.first == "sizes" {
    // Inline sizes of the values held per asset: what 100,000 of them cost before any heap storage.
    print(
        "{\"Asset\":\(MemoryLayout<Asset>.stride),\"AssetRecord\":\(MemoryLayout<AssetRecord>.stride),"
            + "\"PlannedChange\":\(MemoryLayout<PlannedChange>.stride),\"FieldChange\":\(MemoryLayout<FieldChange>.stride)}"
    )
    exit(0)
}
if arguments.first == "decode-state", arguments.count >= 2 {
    // The state file's decode alone, three times (records in two halves when laid out as mediaform writes them).
    let data = FileManager.default.contents(atPath: arguments[arguments.startIndex + 1]) ?? Data()
    for _ in 0..<3 {
        var count = 0
        let t = Timer.measure { count = ((try? State.decode(data, file: "s"))?.assets.count) ?? -1 }
        print("{\"records\":\(count),\"decode_s\":\(t)}")
    }
    exit(0)
}
if arguments.first == "full", arguments.count >= 2 {
    let t = Timer.measure { _ = ProjectLoader.load(directory: arguments[arguments.startIndex + 1]) }
    print("{\"load_validate_s\":\(t)}")
    exit(0)
}
guard arguments.first == "load", arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: mediaform-bench load DIR\n".utf8))
    exit(64)
}
let directory = arguments[arguments.startIndex + 1]
let paths = files(in: directory)
let contents = paths.map { FileManager.default.contents(atPath: $0) ?? Data() }
let bytes = contents.reduce(0) { $0 + $1.count }
var events = 0
let scan = Timer.measure { for c in contents { events += rawScan(c) } }
var nodes = 0
let tree = Timer.measure {
    for (c, p) in zip(contents, paths) { nodes += YAMLLoader.load(c, file: p).root == nil ? 0 : 1 }
}
var assets = 0
let full = Timer.measure { assets = ProjectLoader.load(directory: directory).assets.count }
print(
    "{\"files\":\(paths.count),\"bytes\":\(bytes),\"events\":\(events),\"assets\":\(assets),\"raw_scan_s\":\(scan),\"tree_s\":\(tree),\"load_validate_s\":\(full)}"
)
