import CYAML

/// A fast reader for the YAML that manifests are written in, feeding `YAMLTreeBuilder` the events libyaml would.
///
/// libyaml reads one character at a time through an internal buffer and allocates every token and event; on a
/// large manifest it was a fifth of a plan's CPU time, and for one large file it is the part no core can share.
/// Manifests use a small, regular part of YAML: block mappings and sequences, one-line plain and quoted scalars,
/// literal and folded block scalars (`|`, `>`), one-line flow lists and mappings of scalars (`tags: [a, b]`),
/// comments, LF or CRLF line ends, a leading byte-order mark. This reader handles exactly that and gives up on
/// anything else: multi-line plain or quoted scalars, block scalar indicators (`|-`, `>2`), anchors, aliases, tags,
/// document markers, tabs, a carriage return not before a line feed, a byte-order mark past the first bytes,
/// control characters, invalid UTF-8, and whatever it does not recognise with certainty. Giving up costs only time:
/// `YAMLLoader` then reads the file with libyaml from the start, so every error message, and every construct beyond
/// this subset, is libyaml's.
///
/// What it accepts it must read exactly as libyaml does: the same events in the same order, the same scalar texts
/// and styles, the same marks (line and column, columns counted in characters). `YAMLBlockReaderTests` hold that
/// against libyaml on every YAML file of the repository, on generated manifests and on random mutations of them.
struct YAMLBlockReader {
    /// Why reading stopped: the input is outside the subset (or not YAML at all), and libyaml reads it instead.
    struct GiveUp: Error {}

    private let input: UnsafeBufferPointer<UInt8>
    private let builder: YAMLTreeBuilder
    /// The next byte to read.
    private var p = 0
    /// The current line (0-based) and the offset of its first byte.
    private var line = 0
    private var lineStart = 0
    /// Decoded double-quoted text.
    private var scratch: [UInt8] = []

    private init(input: UnsafeBufferPointer<UInt8>, builder: YAMLTreeBuilder) {
        self.input = input
        self.builder = builder
    }

    /// Reads `raw` into `builder`; false when it gave up (the builder is then half-built and must be discarded).
    static func read(_ raw: UnsafeRawBufferPointer, into builder: YAMLTreeBuilder) -> Bool {
        var input = raw.bindMemory(to: UInt8.self)
        // A UTF-8 byte-order mark starts no line: libyaml drops it before reading, marks count from after it.
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input = UnsafeBufferPointer(rebasing: input[3...]) }
        guard Self.isPlainUTF8(input) else { return false }
        var reader = YAMLBlockReader(input: input, builder: builder)
        builder.reserve(forInput: raw.count)
        do {
            try reader.readDocument()
        } catch {
            return false
        }
        // A depth limit reached is reported by libyaml's reading, the reference for every error.
        guard !builder.hasFailed else { return false }
        builder.finish()
        return true
    }

    // MARK: - Characters

    private static let space = UInt8(ascii: " ")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let hash = UInt8(ascii: "#")
    private static let colon = UInt8(ascii: ":")
    private static let dash = UInt8(ascii: "-")

    /// True when every character is one this reader handles without care: printable ASCII, line feeds, and valid
    /// UTF-8 for printable characters that YAML does not treat specially (no C1 controls, no U+0085, U+2028,
    /// U+2029 line breaks, no byte-order mark, no non-characters U+FFFE/U+FFFF).
    static func isPlainUTF8(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = input.count
        let raw = UnsafeRawBufferPointer(input)
        while i < n {
            // Eight bytes at a time while they are all printable ASCII (0x20...0x7E), most of a manifest: the
            // byte-by-byte loop below was 4 % of a plan of 100,000 new assets. Any other byte in a word (a line
            // feed, a multi-byte character) sends that word through the loop below.
            if i + 8 <= n && ASCIIWord.isPrintable(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = input[i]
            if b < 0x80 {
                // A carriage return only before a line feed: CRLF line ends, one line break as libyaml reads them.
                let crlf = b == carriageReturn && i + 1 < n && input[i + 1] == newline
                guard (b >= 0x20 && b < 0x7F) || b == newline || crlf else { return false }
                i += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07)
            default: return false
            }
            guard i + length <= n else { return false }
            for k in 1..<length {
                let c = input[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            switch length {
            case 2: guard scalar >= 0xA0 else { return false }  // C1 controls, U+0085 among them
            case 3:
                guard scalar >= 0x800, !(0xD800...0xDFFF).contains(scalar), scalar != 0x2028, scalar != 0x2029,
                    scalar != 0xFEFF, scalar != 0xFFFE, scalar != 0xFFFF
                else { return false }
            default: guard scalar >= 0x10000, scalar <= 0x10FFFF else { return false }
            }
            i += length
        }
        return true
    }

    private var atEnd: Bool { p >= input.count }

    private func byte(at i: Int) -> UInt8? { i < input.count ? input[i] : nil }

    /// A blank or the end of a line or of the input (YAML's "blankz" for this subset).
    private func isBlankOrEnd(at i: Int) -> Bool {
        guard let b = byte(at: i) else { return true }
        return b == Self.space || Self.isLineEnd(b)
    }

    /// The end of a line: a line feed, or the carriage return of a CRLF (`isPlainUTF8` admits no other).
    private static func isLineEnd(_ b: UInt8) -> Bool {
        b == newline || b == carriageReturn
    }

    /// libyaml's mark of offset `i` on the current line: the column counts characters, not bytes. Counted on from
    /// the line's previous mark, so that a line of many values (a flow list of thousands) is not counted again for
    /// each of them.
    private mutating func mark(at i: Int) -> yaml_mark_t {
        if lastMark.offset < lineStart || lastMark.offset > i { lastMark = (lineStart, 0) }
        var column = lastMark.column
        for k in lastMark.offset..<i where input[k] & 0xC0 != 0x80 { column += 1 }
        lastMark = (i, column)
        return yaml_mark_t(index: i, line: line, column: column)
    }

    /// The offset and column of the last mark made.
    private var lastMark = (offset: 0, column: 0)

    // MARK: - Lines

    /// Moves to the first character of the next line holding content (not blank, not only a comment), from the
    /// end of a line or the start of the input; nil at the end of the input, else that line's indentation.
    private mutating func nextContentLine() throws(GiveUp) -> Int? {
        while !atEnd {
            if input[p] == Self.newline {
                p += 1
                line += 1
                lineStart = p
                continue
            }
            if input[p] == Self.carriageReturn {
                p += 1  // the line feed follows
                continue
            }
            // At a line's start (only ever here: callers stop at a line's end).
            guard p == lineStart else { throw GiveUp() }
            while !atEnd, input[p] == Self.space { p += 1 }
            guard !atEnd else { return nil }
            let b = input[p]
            if Self.isLineEnd(b) { continue }
            if b == Self.hash {
                skipToEndOfLine()
                continue
            }
            if p == lineStart, b == Self.dash || b == UInt8(ascii: ".") || b == UInt8(ascii: "%") {
                // A document marker (`---`, `...`) or a directive, or something that starts like one.
                if b == UInt8(ascii: "%") || startsMarker(b) { throw GiveUp() }
            }
            return p - lineStart
        }
        return nil
    }

    private func startsMarker(_ b: UInt8) -> Bool {
        byte(at: p + 1) == b && byte(at: p + 2) == b
    }

    private mutating func skipToEndOfLine() {
        while !atEnd, !Self.isLineEnd(input[p]) { p += 1 }
    }

    /// After a node's last character: spaces, then an optional comment (after at least one space), then the end
    /// of the line.
    private mutating func finishLine() throws(GiveUp) {
        while !atEnd, input[p] == Self.space { p += 1 }
        guard !atEnd, !Self.isLineEnd(input[p]) else { return }
        guard input[p] == Self.hash, p > lineStart, input[p - 1] == Self.space else { throw GiveUp() }
        skipToEndOfLine()
    }

    // MARK: - Block structure

    private mutating func readDocument() throws(GiveUp) {
        guard let indent = try nextContentLine() else { return }  // no document: libyaml gives no root either
        builder.beginDocument(at: mark(at: p))
        try readBlockCollection(indent: indent)
        // The root ended at a line indented less than it: libyaml would read a second node there.
        guard try nextContentLine() == nil else { throw GiveUp() }
    }

    /// A block sequence or mapping whose first line starts at `p`, indented `indent`.
    private mutating func readBlockCollection(indent: Int) throws(GiveUp) {
        if input[p] == Self.dash && isBlankOrEnd(at: p + 1) {
            try readSequence(column: indent, indentless: false)
        } else if let key = try scanKey() {
            try readMapping(column: indent, firstKey: key)
        } else {
            throw GiveUp()  // a scalar on a line of its own
        }
    }

    /// A block mapping whose keys start at `column`, the first one at `p` (already scanned).
    private mutating func readMapping(column: Int, firstKey: Key) throws(GiveUp) {
        builder.openCollection(mapping: true, at: mark(at: p))
        var key = firstKey
        while true {
            try emit(key)
            p = key.colon + 1
            let afterColon = mark(at: p)
            while !atEnd, input[p] == Self.space { p += 1 }
            if atEnd || Self.isLineEnd(input[p]) || input[p] == Self.hash {
                try finishLine()
                let next = try nextContentLine()
                if let next, next > column {
                    try readBlockCollection(indent: next)
                } else if let next, next == column, input[p] == Self.dash, isBlankOrEnd(at: p + 1) {
                    try readSequence(column: column, indentless: true)
                } else {
                    builder.scalar(UnsafeBufferPointer(start: nil, count: 0), style: .plain, at: afterColon)
                }
            } else {
                try readValueLine(collectionColumn: column)
            }
            // At the next content line, or the end.
            guard !atEnd else { break }
            let indent = p - lineStart
            if indent < column { break }
            guard indent == column, let next = try scanKey() else { throw GiveUp() }
            key = next
        }
        builder.closeCollection()
    }

    /// A block sequence whose dashes are at `column`, the first one at `p`; `indentless` when it is a mapping's
    /// value at the mapping's own indentation.
    private mutating func readSequence(column: Int, indentless: Bool) throws(GiveUp) {
        builder.openCollection(mapping: false, at: mark(at: p))
        while true {
            p += 1
            while !atEnd, input[p] == Self.space { p += 1 }
            guard !atEnd, !Self.isLineEnd(input[p]), input[p] != Self.hash else { throw GiveUp() }  // an empty item
            if input[p] == Self.dash && isBlankOrEnd(at: p + 1) { throw GiveUp() }  // `- - x`
            let itemColumn = p - lineStart
            if let key = try scanKey() {
                try readMapping(column: itemColumn, firstKey: key)
            } else {
                try readValueLine(collectionColumn: column)
            }
            guard !atEnd else { break }
            let indent = p - lineStart
            if indent < column { break }
            guard indent == column else { throw GiveUp() }
            guard input[p] == Self.dash, isBlankOrEnd(at: p + 1) else {
                if indentless { break }  // the parent mapping's next key
                throw GiveUp()
            }
        }
        builder.closeCollection()
    }

    // MARK: - Keys

    /// A mapping key on the current line: its text, where it starts and ends, and where its `:` is.
    private struct Key {
        var start: Int
        var end: Int
        var style: YAMLScalar.Style
        var colon: Int
    }

    /// The key starting at `p` if the line holds `key:` followed by a blank or the line's end; nil when it holds
    /// a scalar instead. Does not move `p`.
    private func scanKey() throws(GiveUp) -> Key? {
        let first = input[p]
        var key: Key
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            let end = try scanQuoted(from: p)
            key = Key(start: p, end: end, style: first == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted, colon: 0)
            var i = end
            while byte(at: i) == Self.space { i += 1 }
            guard byte(at: i) == Self.colon, isBlankOrEnd(at: i + 1) else { return nil }
            key.colon = i
        } else {
            guard Self.canStartPlain(first, next: byte(at: p + 1)) else { return nil }
            let (end, stop) = scanPlainInBlock(from: p)
            guard stop == .colon else { return nil }
            key = Key(start: p, end: end, style: .plain, colon: 0)
            var i = end
            while input[i] == Self.space { i += 1 }
            key.colon = i
        }
        // libyaml looks no further than 1,024 characters for a simple key's `:`.
        guard key.colon - p < 1000 else { throw GiveUp() }
        return key
    }

    private mutating func emit(_ key: Key) throws(GiveUp) {
        switch key.style {
        case .plain: emitRaw(key.start, key.end, style: .plain)
        case .singleQuoted: emitSingleQuoted(key.start, key.end)
        default: try emitDoubleQuoted(key.start, key.end)
        }
    }

    // MARK: - Scalars and flow collections on one line

    /// A value that starts at `p` after its key or dash (`readInlineNode`), then the rest of its line; `p` ends at
    /// the next content line.
    private mutating func readValueLine(collectionColumn: Int) throws(GiveUp) {
        try readInlineNode(collectionColumn: collectionColumn)
        try finishLine()
        _ = try nextContentLine()
    }

    /// A scalar or a flow collection starting at `p`, ending on this line, or a block scalar (`|`, `>`) whose
    /// lines follow; `p` ends after it (for a block scalar, at the end of its last line). `collectionColumn` is the
    /// column of the block collection holding it.
    private mutating func readInlineNode(collectionColumn: Int) throws(GiveUp) {
        let b = input[p]
        switch b {
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            try readBlockScalar(collectionColumn: collectionColumn)
        case UInt8(ascii: "\""):
            let end = try scanQuoted(from: p)
            try emitDoubleQuoted(p, end)
            p = end
        case UInt8(ascii: "'"):
            let end = try scanQuoted(from: p)
            emitSingleQuoted(p, end)
            p = end
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            try readFlowCollection()
        default:
            guard Self.canStartPlain(b, next: byte(at: p + 1)) else { throw GiveUp() }
            let (end, stop) = scanPlainInBlock(from: p)
            // `a: b: c`, or a plain scalar going on at the next line (more indented: libyaml folds it in).
            guard stop != .colon else { throw GiveUp() }
            // A plain scalar may go on at the next line when that line is indented more than the collection
            // holding it: the callers give up on any such line.
            emitRaw(p, end, style: .plain)
            p = end
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar at `p`, with the default chomping and indentation: its lines
    /// are those indented at least as much as its first, which must be indented more than `collectionColumn`.
    /// Gives up on an indicator (`|-`, `|+`, `|2`), leading empty lines, empty lines with more spaces than the
    /// indentation (they hold content), and, in a folded scalar, lines indented more than the first (YAML keeps
    /// their breaks).
    private mutating func readBlockScalar(collectionColumn: Int) throws(GiveUp) {
        let folded = input[p] == UInt8(ascii: ">")
        let at = mark(at: p)
        p += 1
        guard isBlankOrEnd(at: p) else { throw GiveUp() }
        try finishLine()
        guard !atEnd else { throw GiveUp() }
        scratch.removeAll(keepingCapacity: true)
        var indent: Int?
        var empties = 0, lines = 0
        var next = p + (input[p] == Self.carriageReturn ? 2 : 1)  // the start of the line after the header
        var (lastLine, lastLineStart, lastEnd) = (line, lineStart, p)
        var scanLine = line + 1
        while next < input.count {
            var i = next
            while i < input.count, input[i] == Self.space { i += 1 }
            let spaces = i - next
            if i == input.count || Self.isLineEnd(input[i]) {
                guard let indent, spaces <= indent else { throw GiveUp() }
                empties += 1
                if i == input.count { break }
                next = i + (input[i] == Self.carriageReturn ? 2 : 1)
                scanLine += 1
                continue
            }
            if indent == nil {
                guard spaces > collectionColumn else { throw GiveUp() }  // an empty block scalar
                indent = spaces
            }
            guard let indent, spaces >= indent else { break }
            if folded && spaces > indent { throw GiveUp() }
            var end = i
            while end < input.count, !Self.isLineEnd(input[end]) { end += 1 }
            if lines > 0 {
                if folded {
                    if empties == 0 { scratch.append(Self.space) }
                } else {
                    scratch.append(Self.newline)
                }
                scratch.append(contentsOf: repeatElement(Self.newline, count: empties))
            }
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[(next + indent)..<end]))
            lines += 1
            empties = 0
            (lastLine, lastLineStart, lastEnd) = (scanLine, next, end)
            guard end < input.count else { break }
            next = end + (input[end] == Self.carriageReturn ? 2 : 1)
            scanLine += 1
        }
        guard lines > 0 else { throw GiveUp() }
        // Clipped: one final line break, when the last line has one (a CRLF reads as a line feed).
        if lastEnd < input.count { scratch.append(Self.newline) }
        scratch.withUnsafeBufferPointer { builder.scalar($0, style: folded ? .folded : .literal, at: at) }
        (p, line, lineStart) = (lastEnd, lastLine, lastLineStart)
    }

    /// The plain scalars this reader starts: anything but YAML's indicators, and `-` before a non-blank (`-5`).
    private static func canStartPlain(_ b: UInt8, next: UInt8?) -> Bool {
        switch b {
        case UInt8(ascii: "-"): return next.map { $0 != space && !isLineEnd($0) } ?? false
        case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"),
            UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""),
            UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), space, newline, carriageReturn:
            return false
        default: return true
        }
    }

    private enum PlainStop { case lineEnd, comment, colon }

    /// A plain scalar in block context from `i`: it ends before `: ` (or `:` at the line's end), before ` #`, or at
    /// the line's end; trailing spaces are not part of it. Returns the end of its text and what stopped it.
    private func scanPlainInBlock(from start: Int) -> (end: Int, stop: PlainStop) {
        var i = start
        var end = start
        while i < input.count {
            let b = input[i]
            if Self.isLineEnd(b) { return (end, .lineEnd) }
            if b == Self.colon, isBlankOrEnd(at: i + 1) { return (end, .colon) }
            if b == Self.hash, input[i - 1] == Self.space { return (end, .comment) }
            i += 1
            if b != Self.space { end = i }
        }
        return (end, .lineEnd)
    }

    /// The end (after the closing quote) of the quoted scalar opening at `start`; gives up unless it closes on this
    /// line.
    private func scanQuoted(from start: Int) throws(GiveUp) -> Int {
        let quote = input[start]
        var i = start + 1
        while i < input.count {
            let b = input[i]
            if Self.isLineEnd(b) { throw GiveUp() }
            if quote == UInt8(ascii: "'") {
                if b == quote {
                    if byte(at: i + 1) == quote {
                        i += 2
                        continue
                    }
                    return i + 1
                }
            } else {
                if b == UInt8(ascii: "\\") {
                    // An escaped line break continues the scalar on the next line.
                    guard let next = byte(at: i + 1), !Self.isLineEnd(next) else { throw GiveUp() }
                    i += 2
                    continue
                }
                if b == quote { return i + 1 }
            }
            i += 1
        }
        throw GiveUp()
    }

    private mutating func emitRaw(_ start: Int, _ end: Int, style: YAMLScalar.Style) {
        builder.scalar(UnsafeBufferPointer(rebasing: input[start..<end]), style: style, at: mark(at: start))
    }

    /// A single-quoted scalar from its opening to after its closing quote: `''` is one quote.
    private mutating func emitSingleQuoted(_ start: Int, _ end: Int) {
        let body = input[(start + 1)..<(end - 1)]
        guard body.contains(UInt8(ascii: "'")) else {
            builder.scalar(UnsafeBufferPointer(rebasing: body), style: .singleQuoted, at: mark(at: start))
            return
        }
        scratch.removeAll(keepingCapacity: true)
        var i = body.startIndex
        while i < body.endIndex {
            scratch.append(input[i])
            i += input[i] == UInt8(ascii: "'") ? 2 : 1
        }
        let at = mark(at: start)
        scratch.withUnsafeBufferPointer { builder.scalar($0, style: .singleQuoted, at: at) }
    }

    /// A double-quoted scalar from its opening to after its closing quote, escapes decoded. Escapes other than
    /// `\" \\ \/ \n \t \r \b \f \uXXXX` (and a `\u` of a surrogate or of U+0000) make the reader give up.
    private mutating func emitDoubleQuoted(_ start: Int, _ end: Int) throws(GiveUp) {
        // Called after `scanQuoted`, which found the closing quote; escapes are checked here.
        let body = input[(start + 1)..<(end - 1)]
        let at = mark(at: start)
        guard body.contains(UInt8(ascii: "\\")) else {
            builder.scalar(UnsafeBufferPointer(rebasing: body), style: .doubleQuoted, at: at)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        var i = body.startIndex
        while i < body.endIndex {
            let b = input[i]
            guard b == UInt8(ascii: "\\") else {
                scratch.append(b)
                i += 1
                continue
            }
            let e = input[i + 1]
            i += 2
            if let character = JSONParser.escapedCharacter(e) {
                scratch.append(character)
                continue
            }
            switch e {
            case UInt8(ascii: "u"):
                guard i + 4 <= body.endIndex, let value = JSONParser.hexValue(input[i..<(i + 4)]),
                    value != 0, !(0xD800...0xDFFF).contains(value), let scalar = Unicode.Scalar(value)
                else { throw GiveUp() }
                scratch.append(contentsOf: String(Character(scalar)).utf8)
                i += 4
            default: throw GiveUp()
            }
        }
        scratch.withUnsafeBufferPointer { builder.scalar($0, style: .doubleQuoted, at: at) }
    }

    /// `[a, b]` or `{k: v, …}` of scalars, on this line, starting at `p`; nested collections make it give up.
    private mutating func readFlowCollection() throws(GiveUp) {
        let isMapping = input[p] == UInt8(ascii: "{")
        let close = isMapping ? UInt8(ascii: "}") : UInt8(ascii: "]")
        builder.openCollection(mapping: isMapping, at: mark(at: p))
        p += 1
        skipSpaces()
        if byte(at: p) == close {
            p += 1
            builder.closeCollection()
            return
        }
        while true {
            try readFlowScalar(isKey: isMapping)
            if isMapping {
                guard byte(at: p) == Self.colon, byte(at: p + 1) == Self.space else { throw GiveUp() }
                p += 1
                skipSpaces()
                try readFlowScalar(isKey: false)
            }
            guard let b = byte(at: p) else { throw GiveUp() }
            if b == close {
                p += 1
                break
            }
            guard b == UInt8(ascii: ",") else { throw GiveUp() }
            p += 1
            skipSpaces()
            guard let after = byte(at: p), after != close else { throw GiveUp() }  // `[a, ]`
        }
        builder.closeCollection()
    }

    private mutating func skipSpaces() {
        while !atEnd, input[p] == Self.space { p += 1 }
    }

    /// One scalar inside a flow collection, at `p`; `p` ends after it and the spaces that follow it.
    private mutating func readFlowScalar(isKey: Bool) throws(GiveUp) {
        guard let b = byte(at: p) else { throw GiveUp() }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
            let end = try scanQuoted(from: p)
            if b == UInt8(ascii: "'") { emitSingleQuoted(p, end) } else { try emitDoubleQuoted(p, end) }
            p = end
            skipSpaces()
            return
        }
        guard Self.canStartPlain(b, next: byte(at: p + 1)) else { throw GiveUp() }
        let start = p
        var end = p
        while let c = byte(at: p) {
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") { break }
            if c == Self.colon {
                // A key's end, or a `:` inside a scalar (which libyaml reads differently in flow context).
                guard isKey, byte(at: p + 1) == Self.space else { throw GiveUp() }
                break
            }
            guard Self.isFlowPlainCharacter(c) else { throw GiveUp() }
            p += 1
            if c != Self.space { end = p }
        }
        emitRaw(start, end, style: .plain)
    }

    /// Characters a plain scalar inside a flow collection may hold here: not a flow indicator, not `#` (a comment
    /// after a space), not `:` or `?`, not a quote (read differently by YAML versions), no line end.
    private static func isFlowPlainCharacter(_ c: UInt8) -> Bool {
        switch c {
        case newline, carriageReturn, hash, colon, UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "{"),
            UInt8(ascii: "\""),
            UInt8(ascii: "'"):
            return false
        default: return true
        }
    }
}
