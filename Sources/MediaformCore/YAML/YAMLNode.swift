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
    public enum Style: Sendable, Hashable {
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

/// The light node tree our loader builds from libyaml's events: each node knows where it starts.
///
/// Aliases are already expanded and `<<` merge keys already applied; mapping pairs keep their source order.
public struct YAMLNode: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var mark: YAMLMark

    public init(_ kind: Kind, mark: YAMLMark) {
        self.kind = kind
        self.mark = mark
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = kind { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// What the node is, in words, for messages such as "expected a string, found a mapping".
    public var kindDescription: String {
        switch kind {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let s):
            switch s.resolved {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "an integer"
            case .float: return "a number"
            case .string: return "a string"
            }
        }
    }
}

/// One `key: value` entry of a mapping.
public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
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
        let u = Array(text.utf8)
        guard !u.isEmpty else { return nil }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "o") {
            return Int64(String(decoding: u[2...], as: UTF8.self), radix: 8)
        }
        if u.count > 2, u[0] == UInt8(ascii: "0"), u[1] == UInt8(ascii: "x") {
            return Int64(String(decoding: u[2...], as: UTF8.self), radix: 16)
        }
        var digits = u[...]
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text)
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
