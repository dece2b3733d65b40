@_spi(Testing) import MediaformCore

/// libFuzzer entry point: the manifest loader and validator, and the project-file parser, on arbitrary bytes; and
/// the fast YAML reader, which must read every input it accepts exactly as libyaml does.
/// Built and run by `Scripts/fuzz.sh` (`-sanitize=fuzzer,address`); the seed corpus is `Fuzz/corpus/`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let agrees = bytes.withUnsafeBytes { YAMLLoader.fastReaderAgreesWithLibYAML($0) }
    precondition(agrees != false, "YAMLBlockReader read this input differently from libyaml")
    let project = ManifestParser.parseProject(bytes, file: "fuzz/mediaform.yaml")
    _ = ManifestParser.parseAssets(bytes, file: "fuzz/assets.yaml", defaults: project.defaults)
    _ = try? State.decode(bytes, file: "fuzz/state.json")
    _ = try? JournalContents.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz/journal")
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links executables with `main` aliased to this symbol; hand control to libFuzzer's driver.
@_cdecl("mediaform_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
