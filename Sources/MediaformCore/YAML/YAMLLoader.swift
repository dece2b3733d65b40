import CYAML
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What loading one YAML file produced: the root node (nil for an empty file or a syntax error) and the problems.
public struct YAMLLoadResult: Sendable {
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]
}

/// Builds a `YAMLNode` tree from libyaml's event stream.
///
/// Our own loader rather than Yams (docs/design.md §9): it is ~6× faster on large manifests, resolves scalars with the
/// YAML 1.2 core schema, and keeps the line and column of every node for diagnostics.
///
/// Deliberate choices:
/// - duplicate mapping keys are errors (the first value is kept so that loading can go on and report more);
/// - aliases are expanded; the total size they add is capped (`aliasExpansionLimit`) to stop alias bombs;
/// - `<<` merge keys take a mapping or a list of mappings; explicit keys win, then earlier merges;
/// - a file holds exactly one document: a second `---` document is an error, not silently ignored;
/// - nesting deeper than `maximumDepth` is an error (it protects every recursive consumer of the tree).
public enum YAMLLoader {
    /// Nesting deeper than this is refused; no manifest needs more than a handful of levels.
    public static let maximumDepth = 64
    /// Alias expansion may add at most this many nodes, or ten times the nodes written out, whichever is larger.
    public static let aliasExpansionFloor = 100_000

    /// Parses `bytes` (UTF-8, UTF-16 with BOM; a UTF-8 BOM and CRLF line ends are fine).
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - file: the path used in diagnostics.
    ///
    /// Manifests are read by `YAMLBlockReader` when they keep to the plain subset of YAML they are written in, and by
    /// libyaml otherwise (and for every error); both give the same tree.
    public static func load<Bytes: ContiguousBytes>(_ bytes: Bytes, file: String) -> YAMLLoadResult {
        bytes.withUnsafeBytes { raw in loadWithBlockReader(raw, file: file) ?? loadWithLibYAML(raw, file: file) }
    }

    /// `load` through `YAMLBlockReader`, or nil when it leaves the file to libyaml. A function of its own so that
    /// a half-built tree is freed before libyaml builds another.
    static func loadWithBlockReader(_ raw: UnsafeRawBufferPointer, file: String) -> YAMLLoadResult? {
        let builder = YAMLTreeBuilder(file: file)
        guard YAMLBlockReader.read(raw, into: builder) else { return nil }
        return YAMLLoadResult(root: builder.document?.root, diagnostics: builder.diagnostics)
    }

    /// `load` through libyaml alone: the reference `YAMLBlockReader` is tested against.
    static func loadWithLibYAML(_ raw: UnsafeRawBufferPointer, file: String) -> YAMLLoadResult {
        let builder = YAMLTreeBuilder(file: file)
        builder.run(raw)
        return YAMLLoadResult(root: builder.document?.root, diagnostics: builder.diagnostics)
    }

    /// Convenience for tests and small inputs.
    public static func load(_ text: String, file: String) -> YAMLLoadResult {
        load(Array(text.utf8), file: file)
    }

    /// Whether `YAMLBlockReader` reads `raw` exactly as libyaml does (the same tree, texts, styles, marks and
    /// diagnostics); nil when it leaves `raw` to libyaml. For the tests and the fuzzer (`Fuzz/`).
    @_spi(Testing) public static func fastReaderAgreesWithLibYAML(_ raw: UnsafeRawBufferPointer) -> Bool? {
        guard let fast = loadWithBlockReader(raw, file: "f.yaml") else { return nil }
        let reference = loadWithLibYAML(raw, file: "f.yaml")
        guard fast.diagnostics == reference.diagnostics else { return false }
        switch (fast.root?.document, reference.root?.document) {
        case (nil, nil): return true
        case (let a?, let b?):
            return a.records == b.records && a.text == b.text && a.children == b.children && a.tags == b.tags
                && a.rootIndex == b.rootIndex
        default: return false
        }
    }
}
