/// The "POP" RFC 3986 encoding both Alibaba Cloud signature versions use (docs/ims-api.md §2.0): UTF-8 bytes, the 66
/// unreserved characters `A-Z a-z 0-9 - _ . ~` kept, everything else `%XX` with upper-case hex. Space is `%20`,
/// never `+`; `*` is `%2A`; `~` stays. (Foundation's `.urlQueryAllowed` keeps far too much.)
public enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes every byte outside the unreserved set.
    public static func encode(_ s: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count * 3)
        for b in s.utf8 {
            if isUnreserved(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; `+` is decoded as a space only when `plusAsSpace` (form and wire queries of other
    /// clients, such as the Python SDK's `urlencode`). Returns nil on malformed escapes or invalid UTF-8.
    public static func decode(_ s: Substring, plusAsSpace: Bool) -> String? {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        let u = Array(s.utf8)
        var i = 0
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while i < u.count {
            switch u[i] {
            case UInt8(ascii: "%"):
                guard i + 2 < u.count, let h = value(u[i + 1]), let l = value(u[i + 2]) else { return nil }
                out.append(h << 4 | l)
                i += 3
            case UInt8(ascii: "+") where plusAsSpace:
                out.append(0x20)
                i += 1
            default:
                out.append(u[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// `name=value&…` with both parts encoded, sorted by name (byte order): the canonical query string of both
    /// signature versions, and what mediaform sends as the wire query (so signed and sent forms are identical).
    public static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { encode($0.name) + "=" + encode($0.value) }
            .joined(separator: "&")
    }

    /// Parses a query string into pairs (`+` read as space, as every client's form encoding allows).
    public static func parseQuery(_ query: Substring) -> [(name: String, value: String)]? {
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0], plusAsSpace: true) else { return nil }
            let value = parts.count > 1 ? decode(parts[1], plusAsSpace: true) : ""
            guard let value else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }
}
