/// When a signed source URL stops working, read from its query string (no request needed):
/// - OSS V1: `Expires=<epoch seconds>`;
/// - OSS V4: `x-oss-date=<YYYYMMDDTHHMMSSZ>` plus `x-oss-expires=<seconds>`;
/// - S3-style V4 (also accepted by OSS): `X-Amz-Date=<YYYYMMDDTHHMMSSZ>` plus `X-Amz-Expires=<seconds>`.
/// Parameter names compare case-insensitively. Nil for a URL that is not signed this way, or whose values cannot
/// be read (then nothing is claimed about it).
public enum SignedURLExpiry {
    /// The epoch second after which `url` no longer works, or nil.
    public static func expiry(of url: String) -> Int64? {
        var parameters: [String: String] = [:]
        for (name, value) in queryParameters(url) { parameters[name.lowercased()] = value }
        if let date = parameters["x-oss-date"], let seconds = parameters["x-oss-expires"].flatMap({ Int64($0) }),
            let start = epoch(compact: date)
        {
            return start + seconds
        }
        if let date = parameters["x-amz-date"], let seconds = parameters["x-amz-expires"].flatMap({ Int64($0) }),
            let start = epoch(compact: date)
        {
            return start + seconds
        }
        if let expires = parameters["expires"].flatMap({ Int64($0) }) { return expires }
        return nil
    }

    /// The query's parameters, percent-decoded (a fragment is left out).
    static func queryParameters(_ url: String) -> [(String, String)] {
        guard let q = url.firstIndex(of: "?") else { return [] }
        var query = url[url.index(after: q)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(parts[0], plusAsSpace: true) ?? String(parts[0])
            let value =
                parts.count > 1 ? (PercentEncoding.decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    /// `20261202T083400Z` as epoch seconds (UTC), or nil.
    static func epoch(compact text: String) -> Int64? {
        let u = Array(text.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var n: Int64 = 0
            for c in u[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else { return nil }
                n = n * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
