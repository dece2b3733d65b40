import Foundation
import CYAML

/// What loading one YAML file produced: the root node (nil for an empty file or a syntax error) and the problems.
public struct YAMLLoadResult: Sendable {
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]
}

/// Builds a `YAMLNode` tree from libyaml's event stream.
///
/// Our own loader rather than Yams (design §9): it is ~6× faster on large manifests, resolves scalars with the
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
    public static func load<Bytes: ContiguousBytes>(_ bytes: Bytes, file: String) -> YAMLLoadResult {
        bytes.withUnsafeBytes { raw in
            var builder = TreeBuilder(file: file)
            builder.run(raw)
            return YAMLLoadResult(root: builder.root, diagnostics: builder.diagnostics)
        }
    }

    /// Convenience for tests and small inputs.
    public static func load(_ text: String, file: String) -> YAMLLoadResult {
        load(Array(text.utf8), file: file)
    }
}

private struct TreeBuilder {
    /// Frames are classes so that appending to the open collection mutates it in place (no copy per child).
    private final class Frame {
        let isMapping: Bool
        let mark: YAMLMark
        let anchor: String?
        var size = 1
        var items: [YAMLNode] = []
        var mapping: Mapping

        init(isMapping: Bool, mark: YAMLMark, anchor: String?) {
            self.isMapping = isMapping
            self.mark = mark
            self.anchor = anchor
            self.mapping = Mapping()
        }
    }

    private struct Mapping {
        var pairs: [YAMLPair] = []
        /// Index of each explicit scalar key's text in `pairs`, for duplicate detection.
        var keyIndex: [String: Int] = [:]
        var merges: [YAMLNode] = []
        var pendingKey: YAMLNode?
    }

    let file: String
    var root: YAMLNode?
    var diagnostics: [Diagnostic] = []
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var writtenNodes = 0
    private var aliasNodes = 0
    private var documents = 0
    private var failed = false

    init(file: String) {
        self.file = file
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    private static func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafePointer(pointer))
    }

    mutating func run(_ raw: UnsafeRawBufferPointer) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.append(.error("cannot initialise the YAML parser (out of memory)", at: nil))
            return
        }
        defer { yaml_parser_delete(&parser) }
        let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
        // libyaml reads from the buffer lazily; `raw` outlives the parser because both live in this call.
        yaml_parser_set_input_string(&parser, base ?? UnsafePointer(bitPattern: 1), raw.count)

        var event = yaml_event_t()
        while !failed {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportSyntaxError(parser, input: raw)
                return
            }
            let done = event.type == YAML_STREAM_END_EVENT
            handle(event)
            yaml_event_delete(&event)
            if done { return }
        }
    }

    private mutating func reportSyntaxError(_ parser: yaml_parser_t, input: UnsafeRawBufferPointer) {
        var problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var at = location(parser.problem_mark)
        if parser.error == YAML_READER_ERROR {
            // Encoding errors carry a byte offset, not a mark: turn it into a line and column.
            let offset = min(Int(parser.problem_offset), input.count)
            let before = UnsafeRawBufferPointer(rebasing: input[..<offset])
            let line = before.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let column = before[lineStart...].reduce(1) { $0 + (($1 & 0xC0) == 0x80 ? 0 : 1) }
            at = SourceLocation(file: file, line: line, column: column)
            problem += parser.problem_value >= 0 ? " (byte 0x\(String(parser.problem_value, radix: 16)))" : ""
            problem += "; the file must be UTF-8"
        }
        var message = "YAML syntax error: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let at = parser.context_mark
            message += " (\(context) at line \(at.line + 1), column \(at.column + 1))"
        }
        if problem.contains("tab") || problem.contains("found character that cannot start any token") {
            message += "; YAML indentation must use spaces, not tabs"
        }
        diagnostics.append(.error(message, at: at))
        root = nil
        failed = true
    }

    private mutating func fail(_ message: String, at mark: YAMLMark) {
        diagnostics.append(.error(message, at: location(mark)))
        root = nil
        failed = true
    }

    private mutating func handle(_ event: yaml_event_t) {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail("this file holds more than one YAML document; put each in its own file", at: mark)
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(s.length)), as: UTF8.self) } ?? ""
            let style: YAMLScalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            // A plain scalar with no tag has `plain_implicit`; libyaml reports its tag as nil then.
            let tag = Self.string(s.tag)
            let node = YAMLNode(.scalar(YAMLScalar(text: text, style: style, tag: tag)), mark: mark)
            writtenNodes += 1
            complete(node, size: 1, anchor: Self.string(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                fail("unknown alias '*\(name)'", at: mark)
                return
            }
            aliasNodes += target.size
            if aliasNodes > max(YAMLLoader.aliasExpansionFloor, 10 * writtenNodes) {
                fail("aliases expand to more than \(max(YAMLLoader.aliasExpansionFloor, 10 * writtenNodes)) nodes; refusing a possible alias bomb", at: mark)
                return
            }
            var node = target.node
            node.mark = mark
            complete(node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            guard push(at: mark) else { return }
            writtenNodes += 1
            stack.append(Frame(isMapping: false, mark: mark, anchor: Self.string(event.data.sequence_start.anchor)))
        case YAML_MAPPING_START_EVENT:
            guard push(at: mark) else { return }
            writtenNodes += 1
            stack.append(Frame(isMapping: true, mark: mark, anchor: Self.string(event.data.mapping_start.anchor)))
        case YAML_SEQUENCE_END_EVENT:
            guard let frame = stack.popLast(), !frame.isMapping else { return }
            complete(YAMLNode(.sequence(frame.items), mark: frame.mark), size: frame.size, anchor: frame.anchor)
        case YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast(), frame.isMapping else { return }
            let node = YAMLNode(.mapping(applyMerges(frame.mapping)), mark: frame.mark)
            complete(node, size: frame.size, anchor: frame.anchor)
        default:
            break
        }
    }

    private mutating func push(at mark: YAMLMark) -> Bool {
        if stack.count >= YAMLLoader.maximumDepth {
            fail("nesting is deeper than \(YAMLLoader.maximumDepth) levels", at: mark)
            return false
        }
        return true
    }

    /// Attaches a finished node to its parent (or makes it the root) and records its anchor.
    private mutating func complete(_ node: YAMLNode, size: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (node, size) }
        guard let top = stack.last else {
            root = node
            return
        }
        top.size += size
        if !top.isMapping {
            top.items.append(node)
        } else if let key = top.mapping.pendingKey {
            top.mapping.pendingKey = nil
            addPair(key: key, value: node, to: &top.mapping)
        } else {
            top.mapping.pendingKey = node
        }
    }

    private mutating func addPair(key: YAMLNode, value: YAMLNode, to mapping: inout Mapping) {
        guard let scalar = key.scalar else {
            mapping.pairs.append(YAMLPair(key: key, value: value))
            return
        }
        if scalar.text == "<<", scalar.style == .plain, scalar.tag == nil {
            mapping.merges.append(value)
            return
        }
        if let first = mapping.keyIndex[scalar.text] {
            let firstMark = mapping.pairs[first].key.mark
            diagnostics.append(.error(
                "duplicate key '\(scalar.text)' (first defined at line \(firstMark.line), column \(firstMark.column))",
                at: location(key.mark)))
            return
        }
        mapping.keyIndex[scalar.text] = mapping.pairs.count
        mapping.pairs.append(YAMLPair(key: key, value: value))
    }

    /// Applies `<<` merge keys: explicit keys win over merged ones, and earlier merged mappings over later ones.
    private mutating func applyMerges(_ mapping: Mapping) -> [YAMLPair] {
        guard !mapping.merges.isEmpty else { return mapping.pairs }
        var pairs = mapping.pairs
        var seen = Set(mapping.keyIndex.keys)
        for merge in mapping.merges {
            let sources: [YAMLNode]
            switch merge.kind {
            case .mapping: sources = [merge]
            case .sequence(let items): sources = items
            case .scalar:
                diagnostics.append(.error("a merge key '<<' takes a mapping or a list of mappings, found \(merge.kindDescription)", at: location(merge.mark)))
                continue
            }
            for source in sources {
                guard let sourcePairs = source.mapping else {
                    diagnostics.append(.error("a merge key '<<' takes a mapping or a list of mappings, found \(source.kindDescription)", at: location(source.mark)))
                    continue
                }
                for pair in sourcePairs {
                    guard let text = pair.key.scalar?.text else { continue }
                    if seen.insert(text).inserted { pairs.append(pair) }
                }
            }
        }
        return pairs
    }
}
