import CYAML
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Builds one file's node tree from libyaml's events for `YAMLLoader`: records, duplicate keys, merges, aliases
/// with their expansion limit, depth, and located syntax errors.
final class YAMLTreeBuilder {
    /// An open sequence or mapping. Its children so far sit at the end of `pending`, from `childStart`.
    private struct Frame {
        let record: Int32
        let isMapping: Bool
        let anchor: String?
        let childStart: Int
        /// Expanded node count of the container so far (aliases counted at their full size).
        var size = 1
        /// Values of `<<` merge keys, applied when the mapping closes.
        var merges: [Int32] = []
        /// For mappings larger than `linearScanLimit`: key text → pair index, for duplicate detection.
        var keyIndex: [String: Int]?
    }

    /// Small mappings (nearly all of them) find duplicate keys by comparing bytes: cheaper than hashing.
    private static let linearScanLimit = 12

    // The builder is private to one `load` call on one thread; the hot arrays skip the runtime's dynamic
    // exclusivity checks, which otherwise cost a third of the tree-building time.
    let file: String
    var diagnostics: [Diagnostic] = []
    private(set) var document: YAMLDocument?
    @exclusivity(unchecked) private var records: [YAMLDocument.Record] = []
    @exclusivity(unchecked) private var text: [UInt8] = []
    @exclusivity(unchecked) private var children: [Int32] = []
    @exclusivity(unchecked) private var tags: [Int32: String] = [:]
    @exclusivity(unchecked) private var pending: [Int32] = []
    @exclusivity(unchecked) private var stack: [Frame] = []
    private var anchors: [String: (index: Int32, size: Int)] = [:]
    private var sizes: [Int32: Int] = [:]
    private var rootIndex: Int32?
    private var writtenNodes = 0
    private var aliasNodes = 0
    private var documents = 0
    private var failed = false

    init(file: String) {
        self.file = file
    }

    var root: YAMLNode? { document?.root }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func location(of record: Int32) -> SourceLocation {
        let r = records[Int(record)]
        return SourceLocation(file: file, line: Int(r.line), column: Int(r.column))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafePointer(pointer))
    }

    /// Builds the tree from libyaml's events.
    func run(_ raw: UnsafeRawBufferPointer) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.append(.error("cannot initialise the YAML parser (out of memory)", at: nil))
            return
        }
        defer { yaml_parser_delete(&parser) }
        let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
        // libyaml reads from the buffer lazily; `raw` outlives the parser because both live in this call.
        yaml_parser_set_input_string(&parser, base ?? UnsafePointer(bitPattern: 1), raw.count)
        reserve(forInput: raw.count)

        var event = yaml_event_t()
        while !failed {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportSyntaxError(parser, input: raw)
                return
            }
            let done = event.type == YAML_STREAM_END_EVENT
            handle(event)
            yaml_event_delete(&event)
            if done { break }
        }
        finish()
    }

    /// Sizes the buffers for an input of `count` bytes.
    func reserve(forInput count: Int) {
        records.reserveCapacity(count / 12)
        text.reserveCapacity(count)
        children.reserveCapacity(count / 12)
    }

    /// True once the tree cannot be built (a syntax error, a depth or alias limit).
    var hasFailed: Bool { failed }

    /// Makes the document, after the last event.
    func finish() {
        if !failed, let rootIndex {
            document = YAMLDocument(records: records, text: text, children: children, tags: tags, rootIndex: rootIndex)
        }
    }

    private func reportSyntaxError(_ parser: yaml_parser_t, input: UnsafeRawBufferPointer) {
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
        document = nil
        failed = true
    }

    private func fail(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
        document = nil
        failed = true
    }

    private func newRecord(
        _ type: YAMLDocument.NodeType, style: YAMLScalar.Style = .plain, mark: yaml_mark_t, start: Int, count: Int
    ) -> Int32 {
        let index = Int32(records.count)
        records.append(
            YAMLDocument.Record(
                type: type, style: style, line: Int32(truncatingIfNeeded: mark.line + 1),
                column: Int32(truncatingIfNeeded: mark.column + 1), start: Int32(truncatingIfNeeded: start),
                count: Int32(truncatingIfNeeded: count)))
        return index
    }

    /// One libyaml event, passed on to the builder's operations below.
    private func handle(_ event: yaml_event_t) {
        let mark = event.start_mark
        switch event.type {
        case YAML_DOCUMENT_START_EVENT: beginDocument(at: mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let style: YAMLScalar.Style
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let value = UnsafeBufferPointer(start: s.value, count: s.value == nil ? 0 : Int(s.length))
            // A plain scalar without an explicit tag has no tag here; libyaml reports it as nil.
            scalar(value, style: style, at: mark, tag: Self.string(s.tag), anchor: Self.string(s.anchor))
        case YAML_ALIAS_EVENT:
            alias(Self.string(event.data.alias.anchor) ?? "", at: mark)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            openCollection(
                mapping: isMapping, at: mark,
                tag: Self.string(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag),
                anchor: Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: closeCollection()
        default:
            break
        }
    }

    // MARK: - Building operations (one per kind of event; `YAMLBlockReader` calls them too)

    func beginDocument(at mark: yaml_mark_t) {
        documents += 1
        if documents > 1 {
            fail("this file holds more than one YAML document; put each in its own file", at: location(mark))
        }
    }

    /// A scalar whose processed text (escapes and folding done) is `value`.
    func scalar(
        _ value: UnsafeBufferPointer<UInt8>, style: YAMLScalar.Style, at mark: yaml_mark_t, tag: String? = nil,
        anchor: String? = nil
    ) {
        let start = text.count
        if !value.isEmpty { text.append(contentsOf: value) }
        guard text.count < Int(Int32.max) else {
            fail("the file is too large (over 2 GiB of text)", at: location(mark))
            return
        }
        let index = newRecord(.scalar, style: style, mark: mark, start: start, count: value.count)
        if let tag { tags[index] = tag }
        writtenNodes += 1
        complete(index, size: 1, anchor: anchor)
    }

    func alias(_ name: String, at mark: yaml_mark_t) {
        guard let target = anchors[name] else {
            fail("unknown alias '*\(name)'", at: location(mark))
            return
        }
        aliasNodes += target.size
        let limit = max(YAMLLoader.aliasExpansionFloor, 10 * writtenNodes)
        if aliasNodes > limit {
            fail("aliases expand to more than \(limit) nodes; refusing a possible alias bomb", at: location(mark))
            return
        }
        let index = newRecord(.alias, mark: mark, start: Int(target.index), count: 0)
        complete(index, size: target.size, anchor: nil)
    }

    func openCollection(mapping isMapping: Bool, at mark: yaml_mark_t, tag: String? = nil, anchor: String? = nil) {
        if stack.count >= YAMLLoader.maximumDepth {
            fail("nesting is deeper than \(YAMLLoader.maximumDepth) levels", at: location(mark))
            return
        }
        let index = newRecord(isMapping ? .mapping : .sequence, mark: mark, start: 0, count: 0)
        if let tag { tags[index] = tag }
        writtenNodes += 1
        stack.append(Frame(record: index, isMapping: isMapping, anchor: anchor, childStart: pending.count))
    }

    func closeCollection() {
        guard let frame = stack.popLast() else { return }
        if frame.isMapping { applyMerges(frame) }
        let start = children.count
        children.append(contentsOf: pending[frame.childStart...])
        let count = pending.count - frame.childStart
        pending.removeSubrange(frame.childStart...)
        records[Int(frame.record)].start = Int32(truncatingIfNeeded: start)
        records[Int(frame.record)].count = Int32(truncatingIfNeeded: frame.isMapping ? count / 2 : count)
        complete(frame.record, size: frame.size, anchor: frame.anchor)
    }

    /// Attaches a finished node to its parent (or makes it the root) and records its anchor.
    private func complete(_ index: Int32, size: Int, anchor: String?) {
        if let anchor { anchors[anchor] = (index, size) }
        guard !stack.isEmpty else {
            rootIndex = index
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        // Read single fields: copying the frame would retain and release its arrays on every event.
        let filled = pending.count - stack[top].childStart
        guard stack[top].isMapping, filled % 2 == 1 else {
            pending.append(index)  // a sequence item, or a mapping key
            return
        }
        addValue(index, toMappingAt: stack.count - 1)
    }

    /// The bytes of a scalar record's text, or nil for other nodes (resolving aliases).
    private func keyBytes(_ index: Int32) -> ArraySlice<UInt8>? {
        guard let range = keyRange(index) else { return nil }
        return text[range]
    }

    /// Where a scalar record's text is in `text`, or nil for other nodes (resolving aliases).
    private func keyRange(_ index: Int32) -> Range<Int>? {
        var r = records[Int(index)]
        if r.type == .alias { r = records[Int(r.start)] }
        guard r.type == .scalar else { return nil }
        return Int(r.start)..<Int(r.start + r.count)
    }

    /// Byte equality of two ranges of `text`.
    private func textEqual(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        return text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return a.isEmpty }
            return memcmp(base + a.lowerBound, base + b.lowerBound, a.count) == 0
        }
    }

    /// Completes a mapping pair whose key is the last pending child: merge keys are set aside, duplicates reported.
    private func addValue(_ value: Int32, toMappingAt frameIndex: Int) {
        let childStart = stack[frameIndex].childStart
        let key = pending[pending.count - 1]
        let keyRecord = records[Int(key)]
        guard let range = keyRange(key) else {
            pending.append(value)  // a complex key; the decoder reports it
            return
        }
        if keyRecord.type == .scalar, keyRecord.style == .plain, range.count == 2,
            text[range.lowerBound] == UInt8(ascii: "<"), text[range.lowerBound + 1] == UInt8(ascii: "<"),
            tags[key] == nil
        {
            pending.removeLast()
            stack[frameIndex].merges.append(value)
            return
        }
        let pairCount = (pending.count - 1 - childStart) / 2
        var duplicateOf: Int32?
        if pairCount < Self.linearScanLimit {
            var i = childStart
            while i < pending.count - 1 {
                if let other = keyRange(pending[i]), textEqual(other, range) {
                    duplicateOf = pending[i]
                    break
                }
                i += 2
            }
        } else {
            let bytes = text[range]
            if stack[frameIndex].keyIndex == nil {
                var index: [String: Int] = [:]
                var i = childStart
                while i < pending.count - 1 {
                    if let b = keyBytes(pending[i]) { index[String(decoding: b, as: UTF8.self), default: i] = i }
                    i += 2
                }
                stack[frameIndex].keyIndex = index
            }
            let textKey = String(decoding: bytes, as: UTF8.self)
            if let i = stack[frameIndex].keyIndex?[textKey] {
                duplicateOf = pending[i]
            } else {
                stack[frameIndex].keyIndex?[textKey] = pending.count - 1
            }
        }
        if let first = duplicateOf {
            let firstMark = records[Int(first)]
            diagnostics.append(
                .error(
                    "duplicate key '\(String(decoding: text[range], as: UTF8.self))' (first defined at line \(firstMark.line), column \(firstMark.column))",
                    at: location(of: key)))
            pending.removeLast()  // keep the first value so that loading can go on
            return
        }
        pending.append(value)
    }

    /// Applies `<<` merge keys: explicit keys win over merged ones, and earlier merged mappings over later ones.
    private func applyMerges(_ frame: Frame) {
        guard !frame.merges.isEmpty else { return }
        var seen = Set<ArraySlice<UInt8>>()
        var i = frame.childStart
        while i < pending.count {
            if let b = keyBytes(pending[i]) { seen.insert(b) }
            i += 2
        }
        for merge in frame.merges {
            let mergeRecord = resolved(merge)
            let sources: [Int32]
            switch mergeRecord.type {
            case .mapping: sources = [resolvedIndex(merge)]
            case .sequence:
                sources = Array(children[Int(mergeRecord.start)..<Int(mergeRecord.start + mergeRecord.count)])
            default:
                diagnostics.append(
                    .error(
                        "a merge key '<<' takes a mapping or a list of mappings, found \(describe(merge))",
                        at: location(of: merge)))
                continue
            }
            for source in sources {
                let r = resolved(source)
                guard r.type == .mapping else {
                    diagnostics.append(
                        .error(
                            "a merge key '<<' takes a mapping or a list of mappings, found \(describe(source))",
                            at: location(of: source)))
                    continue
                }
                for p in 0..<Int(r.count) {
                    let key = children[Int(r.start) + 2 * p], value = children[Int(r.start) + 2 * p + 1]
                    guard let b = keyBytes(key), seen.insert(b).inserted else { continue }
                    pending.append(key)
                    pending.append(value)
                }
            }
        }
    }

    private func resolvedIndex(_ index: Int32) -> Int32 {
        let r = records[Int(index)]
        return r.type == .alias ? r.start : index
    }

    private func resolved(_ index: Int32) -> YAMLDocument.Record { records[Int(resolvedIndex(index))] }

    private func describe(_ index: Int32) -> String {
        switch resolved(index).type {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        default:
            let r = resolved(index)
            let scalarText = String(decoding: keyBytes(index) ?? [], as: UTF8.self)
            return YAMLScalar(text: scalarText, style: r.style, tag: tags[resolvedIndex(index)]).kindDescription
        }
    }
}
