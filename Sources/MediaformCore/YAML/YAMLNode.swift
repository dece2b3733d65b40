/// A position inside one YAML document, 1-based.
public struct YAMLMark: Sendable, Hashable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A YAML scalar exactly as written, with the style that decides how it resolves.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: UInt8, Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The scalar's text after YAML's own processing (escapes, folding), never converted to another type.
    public var text: String
    public var style: Style
    /// The explicit tag, if any, in its resolved form (`tag:yaml.org,2002:str`, `!`, …).
    public var tag: String?

    public init(text: String, style: Style = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }
}

/// A parsed YAML document stored flat: one array of node records, one byte buffer for all scalar text, one array
/// of child indices.
///
/// Why flat: a 100,000-asset manifest has over two million nodes. A tree of Swift enums and arrays costs an
/// allocation (and a deallocation) per node; this costs a handful. Aliases cost nothing either: an alias is a
/// record pointing at its anchor's node (the size limit on expansion still guards every consumer that walks it).
public final class YAMLDocument: Sendable {
    enum NodeType: UInt8 { case scalar, sequence, mapping, alias }

    struct Record: Equatable {
        var type: NodeType
        var style: YAMLScalar.Style
        var line: Int32
        var column: Int32
        /// Scalar: offset into `text`. Sequence/mapping: offset into `children`. Alias: the target record.
        var start: Int32
        /// Scalar: byte length. Sequence: item count. Mapping: pair count (two children per pair).
        var count: Int32
    }

    let records: [Record]
    let text: [UInt8]
    let children: [Int32]
    /// Explicit tags by record index (rare, so kept out of the records).
    let tags: [Int32: String]
    let rootIndex: Int32

    init(records: [Record], text: [UInt8], children: [Int32], tags: [Int32: String], rootIndex: Int32) {
        self.records = records
        self.text = text
        self.children = children
        self.tags = tags
        self.rootIndex = rootIndex
    }

    /// The document's root node.
    public var root: YAMLNode { YAMLNode(document: self, index: rootIndex) }
}

/// A node of a `YAMLDocument`: a cheap view (document and index) that knows where it starts.
///
/// Aliases are resolved transparently (an alias node reports its own position but the anchor's content) and `<<`
/// merge keys are already applied; mapping pairs keep their source order.
public struct YAMLNode: Sendable {
    public enum NodeType: Sendable { case scalar, sequence, mapping }

    let document: YAMLDocument
    /// The record giving the position (the alias itself, for an alias).
    let index: Int32
    /// The record giving the content (the anchor's node, for an alias).
    let content: Int32

    init(document: YAMLDocument, index: Int32) {
        self.document = document
        self.index = index
        let record = document.records[Int(index)]
        self.content = record.type == .alias ? record.start : index
    }

    private var record: YAMLDocument.Record { document.records[Int(content)] }

    /// Where the node starts, 1-based.
    public var mark: YAMLMark {
        let r = document.records[Int(index)]
        return YAMLMark(line: Int(r.line), column: Int(r.column))
    }

    public var type: NodeType {
        switch record.type {
        case .sequence: .sequence
        case .mapping: .mapping
        default: .scalar
        }
    }

    /// The scalar, or nil for a collection.
    public var scalar: YAMLScalar? {
        let r = record
        guard r.type == .scalar else { return nil }
        // Tags are rare: most documents have none, and a lookup hashes.
        let tag = document.tags.isEmpty ? nil : document.tags[content]
        return YAMLScalar(text: scalarText(r), style: r.style, tag: tag)
    }

    private func scalarText(_ r: YAMLDocument.Record) -> String {
        document.text.withUnsafeBufferPointer { buffer in
            String(
                decoding: UnsafeBufferPointer(rebasing: buffer[Int(r.start)..<Int(r.start + r.count)]), as: UTF8.self)
        }
    }

    /// True when the node is a scalar whose text is exactly `literal` (compared on bytes, without making a String).
    public func scalarEquals(_ literal: StaticString) -> Bool {
        let r = record
        guard r.type == .scalar, Int(r.count) == literal.utf8CodeUnitCount else { return false }
        return document.text.withUnsafeBufferPointer { buffer in
            let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            return buffer[Int(r.start)..<Int(r.start + r.count)].elementsEqual(bytes)
        }
    }

    /// The items of a sequence, or nil.
    public var sequence: YAMLItems? {
        let r = record
        guard r.type == .sequence else { return nil }
        return YAMLItems(document: document, start: Int(r.start), count: Int(r.count))
    }

    /// The pairs of a mapping, or nil.
    public var mapping: YAMLPairs? {
        let r = record
        guard r.type == .mapping else { return nil }
        return YAMLPairs(document: document, start: Int(r.start), count: Int(r.count))
    }

    /// What the node is, in words, for messages such as "expected a string, found a mapping".
    public var kindDescription: String {
        switch type {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar: return scalar?.kindDescription ?? "a string"
        }
    }
}

/// One `key: value` entry of a mapping.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// The items of a sequence node, without copying.
public struct YAMLItems: RandomAccessCollection, Sendable {
    let document: YAMLDocument
    let start: Int
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> YAMLNode {
        YAMLNode(document: document, index: document.children[start + position])
    }
}

/// The pairs of a mapping node, without copying.
public struct YAMLPairs: RandomAccessCollection, Sendable {
    let document: YAMLDocument
    let start: Int
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> YAMLPair {
        YAMLPair(
            key: YAMLNode(document: document, index: document.children[start + 2 * position]),
            value: YAMLNode(document: document, index: document.children[start + 2 * position + 1]))
    }
}

/// A scalar resolved with the YAML 1.2 core schema.
///
/// Unlike YAML 1.1 (and Yams), `no`, `on`, `yes` and `off` are strings, and there are no dates: a plain
/// `2024-01-01` is a string. Callers that expect a string use `YAMLScalar.text`, which is never converted,
/// so `title: 1.10` stays "1.10".
public enum YAMLResolvedScalar: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
}

extension YAMLScalar {
    private static let strTag = "tag:yaml.org,2002:str"

    /// The core-schema resolution of this scalar. Quoted and block scalars, and explicit `!!str` or `!`, are strings.
    public var resolved: YAMLResolvedScalar {
        if let tag {
            switch tag {
            case Self.strTag, "!": return .string(text)
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return Self.resolveBool(text).map { .bool($0) } ?? .string(text)
            case "tag:yaml.org,2002:int": return Self.resolveInt(text).map { .int($0) } ?? .string(text)
            case "tag:yaml.org,2002:float": return Self.resolveFloat(text).map { .float($0) } ?? .string(text)
            default: return .string(text)
            }
        }
        guard style == .plain else { return .string(text) }
        return Self.resolvePlain(text)
    }

    /// Whether the scalar resolves to null (`resolved == .null`), without resolving anything else: every string
    /// value of every asset is checked for null.
    public var isNull: Bool {
        if let tag { return tag == "tag:yaml.org,2002:null" }
        guard style == .plain else { return false }
        switch text.utf8.count {
        case 0: return true
        case 1: return text == "~"
        case 4: return text == "null" || text == "Null" || text == "NULL"
        default: return false
        }
    }

    /// What the scalar is, in words ("an integer", "null", …).
    public var kindDescription: String {
        switch resolved {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a number"
        case .string: "a string"
        }
    }

    /// Resolves a plain scalar's text per the YAML 1.2 core schema.
    static func resolvePlain(_ text: String) -> YAMLResolvedScalar {
        guard let first = text.utf8.first else { return .null }
        // Fast path: most scalars start with a letter that cannot begin a null, bool or number.
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if text == "~" || text == "null" || text == "Null" || text == "NULL" { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            if let b = resolveBool(text) { return .bool(b) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            if let i = resolveInt(text) { return .int(i) }
            if let d = resolveFloat(text) { return .float(d) }
        default:
            break
        }
        return .string(text)
    }

    static func resolveBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; values that do not fit in 64 bits are not integers.
    static func resolveInt(_ text: String) -> Int64? {
        // Decimal (every category of every asset) on the bytes, without copying them.
        if let decimal = resolveDecimal(text) { return decimal }
        let u = Array(text.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "o") {
            return Int64(String(decoding: u[2...], as: UTF8.self), radix: 8)
        }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") {
            return Int64(String(decoding: u[2...], as: UTF8.self), radix: 16)
        }
        var digits = u[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// `[-+]?[0-9]+` within 64 bits, or nil (anything else, including what `resolveInt` then reads as octal or
    /// hexadecimal, or a decimal out of range, which `resolveInt`'s slower path also refuses).
    private static func resolveDecimal(_ text: String) -> Int64? {
        var text = text  // `withUTF8` is mutating; for a native string this copies nothing
        return text.withUTF8 { u -> Int64? in
            var i = 0
            let negative = u.first == UInt8(ascii: "-")
            if negative || u.first == UInt8(ascii: "+") { i = 1 }
            guard i < u.count else { return nil }
            var value: Int64 = 0  // accumulated negatively, so that Int64.min fits
            while i < u.count {
                let digit = u[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times.subtractingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                value = next
                i += 1
            }
            if negative { return value }
            return value == .min ? nil : -value
        }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `.inf`, `.nan` and their case variants.
    static func resolveFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        var i = text.utf8.startIndex
        let u = text.utf8
        func digits() -> Int {
            var n = 0
            while i < u.endIndex, u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") {
                n += 1
                i = u.index(after: i)
            }
            return n
        }
        if i < u.endIndex, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i = u.index(after: i) }
        let intDigits = digits()
        var fracDigits = 0
        if i < u.endIndex, u[i] == UInt8(ascii: ".") {
            i = u.index(after: i)
            fracDigits = digits()
        }
        guard intDigits + fracDigits > 0 else { return nil }
        if i < u.endIndex, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i = u.index(after: i)
            if i < u.endIndex, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i = u.index(after: i) }
            guard digits() > 0 else { return nil }
        }
        guard i == u.endIndex else { return nil }
        return Double(text)
    }
}
