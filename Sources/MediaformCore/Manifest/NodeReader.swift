/// Typed reading of a located YAML tree, collecting diagnostics instead of stopping at the first problem.
///
/// Every reader returns nil after reporting when a value has the wrong type, so decoding goes on and the user
/// sees every problem in one run.
struct NodeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) {
        self.file = file
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: node.mark.line, column: node.mark.column)
    }

    mutating func error(_ message: String, at node: YAMLNode) {
        diagnostics.append(.error(message, at: location(node)))
    }

    mutating func warning(_ message: String, at node: YAMLNode) {
        diagnostics.append(.warning(message, at: location(node)))
    }

    /// The pairs of a mapping by key, after reporting unknown keys (with a did-you-mean) and non-string keys.
    /// - Parameters:
    ///   - node: the node that should be a mapping.
    ///   - allowed: the keys this mapping accepts.
    ///   - what: the mapping's name in messages ("asset", "the project file").
    /// - Parameter extensionKeys: accept and ignore keys starting with `x-` (a place for anchors, as in Compose files).
    mutating func fields(_ node: YAMLNode, allowed: [String], what: String, extensionKeys: Bool = false) -> [String:
        YAMLPair]?
    {
        guard let pairs = node.mapping else {
            error("\(what) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        var result: [String: YAMLPair] = [:]
        result.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let name = pair.key.scalar?.text else {
                error("keys must be strings, found \(pair.key.kindDescription)", at: pair.key)
                continue
            }
            if extensionKeys && name.hasPrefix("x-") { continue }
            guard allowed.contains(name) else {
                reportUnknownKey(name, at: pair.key, allowed: allowed, what: what)
                continue
            }
            result[name] = pair
        }
        return result
    }

    /// Reports an unknown key, suggesting the closest allowed one.
    mutating func reportUnknownKey(_ name: String, at node: YAMLNode, allowed: [String], what: String) {
        var message = "unknown key '\(name)' in \(what)"
        if let suggestion = Spelling.suggestion(for: name, among: allowed) {
            message += "; did you mean '\(suggestion)'?"
        }
        error(message, at: node)
    }

    /// A string. Any scalar that is not null is read as its text, exactly as written: in the YAML 1.2 core
    /// schema `no` is a string anyway, and `1.10` keeps its trailing zero because it is never converted.
    mutating func string(_ node: YAMLNode, field: String) -> String? {
        guard let scalar = node.scalar else {
            error("'\(field)' must be a string, found \(node.kindDescription)", at: node)
            return nil
        }
        if scalar.isNull {
            error("'\(field)' must be a string, found null; remove the key or give it a value", at: node)
            return nil
        }
        return scalar.text
    }

    /// A non-empty string.
    mutating func nonEmptyString(_ node: YAMLNode, field: String) -> String? {
        guard let s = string(node, field: field) else { return nil }
        if s.isEmpty {
            error("'\(field)' must not be empty", at: node)
            return nil
        }
        return s
    }

    /// An integer within `range`. A quoted number is refused with a hint, so that types stay unambiguous.
    mutating func integer(_ node: YAMLNode, field: String, range: ClosedRange<Int64>) -> Int64? {
        guard let scalar = node.scalar else {
            error("'\(field)' must be an integer, found \(node.kindDescription)", at: node)
            return nil
        }
        switch scalar.resolved {
        case .int(let i):
            guard range.contains(i) else {
                let bounds =
                    range.upperBound == .max
                    ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
                error("'\(field)' must be \(bounds), found \(i)", at: node)
                return nil
            }
            return i
        case .string(let s) where YAMLScalar.resolveInt(s) != nil && scalar.style != .plain:
            error("'\(field)' must be an integer, found the string '\(s)'; remove the quotes", at: node)
        case .float where scalar.text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }):
            error("'\(field)' is too large: \(scalar.text) does not fit in 64 bits", at: node)
        default:
            error("'\(field)' must be an integer, found \(node.kindDescription) '\(scalar.text)'", at: node)
        }
        return nil
    }

    /// A positive number (integer or decimal).
    mutating func positiveNumber(_ node: YAMLNode, field: String) -> Double? {
        guard let scalar = node.scalar else {
            error("'\(field)' must be a number, found \(node.kindDescription)", at: node)
            return nil
        }
        let value: Double
        switch scalar.resolved {
        case .int(let i): value = Double(i)
        case .float(let d): value = d
        default:
            error("'\(field)' must be a number, found \(node.kindDescription) '\(scalar.text)'", at: node)
            return nil
        }
        guard value.isFinite, value > 0 else {
            error("'\(field)' must be a positive number, found \(scalar.text)", at: node)
            return nil
        }
        return value
    }

    /// `true` or `false`. YAML 1.1 spellings (`yes`, `no`, `on`, `off`) are refused with a hint.
    mutating func bool(_ node: YAMLNode, field: String) -> Bool? {
        guard let scalar = node.scalar else {
            error("'\(field)' must be true or false, found \(node.kindDescription)", at: node)
            return nil
        }
        if case .bool(let b) = scalar.resolved { return b }
        let text = scalar.text.lowercased()
        if ["yes", "no", "on", "off", "y", "n"].contains(text) {
            let meant = ["yes", "on", "y"].contains(text) ? "true" : "false"
            error(
                "'\(field)' must be true or false, found '\(scalar.text)'; write \(meant) (YAML 1.2 has no '\(scalar.text)' booleans)",
                at: node)
        } else {
            error("'\(field)' must be true or false, found \(node.kindDescription) '\(scalar.text)'", at: node)
        }
        return nil
    }

    /// A list of strings; a single string is refused (write `[a]`).
    mutating func stringList(_ node: YAMLNode, field: String) -> [(String, YAMLNode)]? {
        guard let items = node.sequence else {
            if node.scalar != nil {
                error(
                    "'\(field)' must be a list, found \(node.kindDescription); write [\(node.scalar?.text ?? "")]",
                    at: node)
            } else {
                error("'\(field)' must be a list, found \(node.kindDescription)", at: node)
            }
            return nil
        }
        var result: [(String, YAMLNode)] = []
        result.reserveCapacity(items.count)
        let itemField = "\(field) item"  // once per list: tags are read for every asset
        for item in items {
            if let s = string(item, field: itemField) { result.append((s, item)) }
        }
        return result
    }

    /// A JSON object from a YAML mapping: string keys; values of any JSON type; no NaN or infinity.
    mutating func jsonObject(_ node: YAMLNode, field: String) -> [String: JSONValue]? {
        guard node.mapping != nil else {
            error("'\(field)' must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        guard case .object(let members)? = json(node, path: field) else { return nil }
        return members
    }

    /// `path` names the value in messages; it is built only for one (metadata is read for every asset).
    private mutating func json(_ node: YAMLNode, path: @autoclosure () -> String) -> JSONValue? {
        if let scalar = node.scalar {
            switch scalar.resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d):
                guard d.isFinite else {
                    error("'\(path())' is \(scalar.text), which JSON cannot represent", at: node)
                    return nil
                }
                return .double(d)
            case .string(let s): return .string(s)
            }
        }
        if let items = node.sequence {
            var values: [JSONValue] = []
            for (i, item) in items.enumerated() {
                guard let v = json(item, path: "\(path())[\(i)]") else { return nil }
                values.append(v)
            }
            return .array(values)
        }
        if let pairs = node.mapping {
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(pairs.count)
            for pair in pairs {
                guard let key = pair.key.scalar?.text else {
                    error("keys in '\(path())' must be strings, found \(pair.key.kindDescription)", at: pair.key)
                    return nil
                }
                guard let v = json(pair.value, path: "\(path()).\(key)") else { return nil }
                members[key] = v
            }
            return .object(members)
        }
        return nil
    }
}
