/// A JSON value built from YAML (metadata, extend data) and serialised canonically.
///
/// Canonical form: object keys sorted by their UTF-8 bytes, no insignificant whitespace, `/` not escaped,
/// only the escapes JSON requires. It is what fingerprints hash and what goes into `DynamicMetaData`, so equal
/// values always give equal bytes.
///
/// Not `indirect`: arrays and objects already hold their elements out of line, and an indirect enum puts every
/// value, a string or a number too, in a heap box of its own (a plan of 100,000 new assets makes a million).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The canonical JSON text.
    public var canonicalJSON: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the canonical JSON text to `out`.
    public func write(to out: inout String) {
        write(into: &out)
    }

    /// Appends the canonical JSON text to `out`, a string or bytes.
    func write<Out: TextOutput>(into out: inout Out) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
                out.append(String(Int64(d)))
            } else if d.isFinite {
                out.append(String(d))
            } else {
                out.append("null")  // JSON has no inf/nan; validation rejects them before this point
            }
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                item.write(into: &out)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            for (i, key) in members.keys.sorted(by: JSONValue.keyOrder).enumerated() {
                if i > 0 { out.append(",") }
                JSONValue.writeString(key, into: &out)
                out.append(":")
                members[key]?.write(into: &out)
            }
            out.append("}")
        }
    }

    /// Key order of canonical JSON: by UTF-8 bytes (what `JSONEncoder.sortedKeys` and most languages do for ASCII).
    public static func keyOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Writes a JSON string literal, escaping only `"`, `\` and control characters.
    public static func writeString(_ s: String, to out: inout String) {
        writeString(s, into: &out)
    }

    /// `writeString(_:to:)` into a string or bytes.
    static func writeString<Out: TextOutput>(_ s: String, into out: inout Out) {
        var s = s  // `withUTF8` is mutating; for a native string this copies nothing
        let needsEscape = s.withUTF8 { bytes in
            bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        out.append(ascii: UInt8(ascii: "\""))
        defer { out.append(ascii: UInt8(ascii: "\"")) }
        guard needsEscape else { return out.append(s) }
        s.withUTF8 { bytes in
            // Only ASCII characters are escaped: each run of bytes between them is appended whole (a run never
            // ends inside a multi-byte character, whose bytes are all 0x80 or more).
            var run = 0
            for i in bytes.indices {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < i { out.append(utf8: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                switch byte {
                case UInt8(ascii: "\""): out.append("\\\"")
                case UInt8(ascii: "\\"): out.append("\\\\")
                case UInt8(ascii: "\n"): out.append("\\n")
                case UInt8(ascii: "\r"): out.append("\\r")
                case UInt8(ascii: "\t"): out.append("\\t")
                case 0x08: out.append("\\b")
                case 0x0C: out.append("\\f")
                default:
                    let hex = String(byte, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                run = i + 1
            }
            if run < bytes.count { out.append(utf8: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
    }

    /// A JSON string literal for `s`.
    public static func quoted(_ s: String) -> String {
        var out = ""
        writeString(s, to: &out)
        return out
    }
}
