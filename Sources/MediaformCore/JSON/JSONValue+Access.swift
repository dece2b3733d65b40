import Foundation

extension JSONValue {
    /// The value of `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// Not an array or an object.
    public var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Human-readable JSON: two-space indent, `"key": value`, keys sorted, a trailing newline; lists of plain values
    /// (tags) stay on one line. Diffs of files written this way read cleanly in code review.
    public var prettyJSON: String { prettyJSON(leading: []) }

    /// `prettyJSON`, with the top-level members named in `leading` first, in that order; values nested
    /// `compactFrom` levels deep or more are written on one line each (canonical JSON).
    /// `indent` levels: the value is nested that deep in a text the caller writes around it.
    public func prettyJSON(leading: [String], compactFrom: Int = .max, indent: Int = 0) -> String {
        var out = ""
        writePretty(to: &out, indent: indent, leading: leading, compactFrom: compactFrom)
        out += "\n"
        return out
    }

    /// Objects with more members than this render them in chunks on every core.
    static let chunkedMembers = 2048

    private func writePretty(to out: inout String, indent: Int, leading: [String] = [], compactFrom: Int = .max) {
        if indent >= compactFrom {
            write(to: &out)
            return
        }
        switch self {
        case .array(let items) where !items.isEmpty && items.allSatisfy(\.isScalar):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out)
            }
            out += "]"
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                item.writePretty(to: &out, indent: indent + 1, compactFrom: compactFrom)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let first = leading.filter { members[$0] != nil }
            let keys = first + members.keys.filter { !first.contains($0) }.sorted(by: JSONValue.keyOrder)
            let member = { @Sendable (i: Int, out: inout String) in
                out += String(repeating: "  ", count: indent + 1)
                JSONValue.writeString(keys[i], to: &out)
                out += ": "
                members[keys[i]]?.writePretty(to: &out, indent: indent + 1, compactFrom: compactFrom)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            if keys.count > Self.chunkedMembers {
                // A state's records: rendered in chunks on every core, joined in order.
                ParallelChunks.inRounds(
                    count: keys.count, size: Self.chunkedMembers,
                    { range in
                        var text = ""
                        for i in range { member(i, &text) }
                        return text
                    }, consume: { out += $0 })
            } else {
                for i in keys.indices { member(i, &out) }
            }
            out += String(repeating: "  ", count: indent) + "}"
        default:
            write(to: &out)
        }
    }
}
