import Dispatch
import Synchronization

/// Reads the state's `assets` object, in two halves on two cores when the file is laid out as mediaform writes it.
///
/// Decoding records is most of a state read (100,000 records: about 0.7 s on one core). In a file written by
/// `State.fileText`, every record's key starts a line indented by exactly four spaces, and nothing else inside
/// `assets` does (values are indented deeper; strings cannot hold a raw newline), so a line like that near the
/// middle splits the records in two runs that parse independently. Any other layout, and any error in a half, is
/// read again in one pass, so that errors are located exactly as before.
public enum StateRecordsReader {
    /// Called with ranges of the bytes that will not be read again (except to locate an error), every few
    /// megabyte: a caller holding a mapped file drops those pages, so that a state of 100 MB is not all resident
    /// beside the records made from it.
    public typealias Consumed = @Sendable (Range<Int>) -> Void

    /// Reads the object at `r`'s position (its `{`) and leaves `r` after its `}`.
    /// - Parameter uploadDefaults: the file's shared upload inputs, for a format 2 file (`AssetRecord.read`).
    static func read(
        _ r: inout JSONParser, expected: Int, consumed: Consumed?, uploadDefaults: [String: JSONValue]?
    ) throws(JSONParser.Failure) -> [String: AssetRecord] {
        let start = r.position
        if let split = splitPoint(r.bytes, from: start),
            let (records, end) = twoHalves(r.bytes, start, split, expected, consumed, uploadDefaults)
        {
            r.position = end
            return records
        }
        r.position = start
        return try sequential(&r, expected: expected, consumed: consumed, uploadDefaults: uploadDefaults)
    }

    static func sequential(
        _ r: inout JSONParser, expected: Int, consumed: Consumed?, uploadDefaults: [String: JSONValue]?
    ) throws(JSONParser.Failure) -> [String: AssetRecord] {
        var records: [String: AssetRecord] = [:]
        records.reserveCapacity(expected)
        var mark = r.position
        var interning = RecordInterning()
        try r.readObject { (key: String, r: inout JSONParser) throws(JSONParser.Failure) in
            records[key] = try AssetRecord.read(&r, key: key, interning: &interning, uploadDefaults: uploadDefaults)
            report(consumed, &mark, r.position)
        }
        return records
    }

    /// Reports `mark..<position` as consumed once it is 1 MiB long.
    static func report(_ consumed: Consumed?, _ mark: inout Int, _ position: Int) {
        guard let consumed, position - mark >= 1 << 20 else { return }
        consumed(mark..<position)
        mark = position
    }

    /// The offset of a record key's opening quote near the middle of what follows `start`, if there is one.
    static func splitPoint(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard bytes.count - start > 1 << 20 else { return nil }  // Small states gain nothing.
        var i = start + (bytes.count - start) / 2
        while i + 6 < bytes.count {
            if bytes[i] == 0x0A && bytes[i + 1] == 0x20 && bytes[i + 2] == 0x20 && bytes[i + 3] == 0x20
                && bytes[i + 4] == 0x20 && bytes[i + 5] == 0x22
            {
                return i + 5
            }
            i += 1
        }
        return nil
    }

    private struct Buffer: @unchecked Sendable {
        let bytes: UnsafeBufferPointer<UInt8>
    }

    /// What one half read; each is written by its own thread only, and read after both have ended.
    private final class Half: @unchecked Sendable {
        var records: [String: AssetRecord] = [:]
        var end: Int?
    }

    /// Both halves, merged, and the offset after the object's `}`; nil when either half does not read cleanly.
    private static func twoHalves(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ split: Int, _ expected: Int, _ consumed: Consumed?,
        _ uploadDefaults: [String: JSONValue]?
    ) -> ([String: AssetRecord], Int)? {
        let buffer = Buffer(bytes: bytes)
        let halves = [Half(), Half()]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let half = halves[i]
            if i == 0 {
                // From the `{` to the split: members each followed by a comma, up to the split's key. Sized for
                // all records: the second half is added to it without growing it.
                half.records.reserveCapacity(max(expected, 1))
                var r = JSONParser(bytes: UnsafeBufferPointer(rebasing: buffer.bytes[0..<split]))
                r.position = start
                half.end = try? firstHalf(&r, into: &half.records, consumed: consumed, uploadDefaults)
            } else {
                half.records.reserveCapacity(expected / 2 + 1)
                var r = JSONParser(bytes: buffer.bytes)
                r.position = split
                half.end = try? secondHalf(&r, into: &half.records, consumed: consumed, uploadDefaults)
            }
        }
        guard halves[0].end != nil, let end = halves[1].end else { return nil }
        var records = halves[0].records
        halves[0].records = [:]  // The only reference left is `records`: merged in place, not copied.
        records.reserveCapacity(records.count + halves[1].records.count)
        for (key, record) in halves[1].records {
            // A key in both halves: let the one-pass read decide (a JSON object's last duplicate wins).
            guard records.updateValue(record, forKey: key) == nil else { return nil }
        }
        return (records, end)
    }

    /// `{`, then `"key": record,` up to the end of the (cut) buffer; the split offset, or nil on any other shape.
    private static func firstHalf(
        _ r: inout JSONParser, into records: inout [String: AssetRecord], consumed: Consumed?,
        _ uploadDefaults: [String: JSONValue]?
    ) throws(JSONParser.Failure) -> Int? {
        r.skipWhitespace()
        var mark = r.position
        var interning = RecordInterning()
        guard r.position < r.bytes.count, r.bytes[r.position] == UInt8(ascii: "{") else { return nil }
        r.position += 1
        while true {
            r.skipWhitespace()
            if r.position == r.bytes.count { return r.position }
            guard try member(&r, into: &records, interning: &interning, uploadDefaults) else { return nil }
            report(consumed, &mark, r.position)
            r.skipWhitespace()
            guard r.position < r.bytes.count, r.bytes[r.position] == UInt8(ascii: ",") else { return nil }
            r.position += 1
        }
    }

    /// `"key": record` members separated by commas, then `}`; the offset after it.
    private static func secondHalf(
        _ r: inout JSONParser, into records: inout [String: AssetRecord], consumed: Consumed?,
        _ uploadDefaults: [String: JSONValue]?
    ) throws(JSONParser.Failure) -> Int? {
        var mark = r.position
        var interning = RecordInterning()
        while true {
            r.skipWhitespace()
            guard try member(&r, into: &records, interning: &interning, uploadDefaults) else { return nil }
            report(consumed, &mark, r.position)
            r.skipWhitespace()
            guard r.position < r.bytes.count else { return nil }
            if r.bytes[r.position] == UInt8(ascii: ",") {
                r.position += 1
                continue
            }
            guard r.bytes[r.position] == UInt8(ascii: "}") else { return nil }
            return r.position + 1
        }
    }

    private static func member(
        _ r: inout JSONParser, into records: inout [String: AssetRecord], interning: inout RecordInterning,
        _ uploadDefaults: [String: JSONValue]?
    ) throws(JSONParser.Failure) -> Bool {
        guard r.position < r.bytes.count, r.bytes[r.position] == UInt8(ascii: "\"") else { return false }
        let key = try r.string()
        r.skipWhitespace()
        guard r.position < r.bytes.count, r.bytes[r.position] == UInt8(ascii: ":") else { return false }
        r.position += 1
        let record = try AssetRecord.read(&r, key: key, interning: &interning, uploadDefaults: uploadDefaults)
        guard records.updateValue(record, forKey: key) == nil else { return false }
        return true
    }
}
