import CZlib
import Foundation
import MediaformCore

/// gzip for state files whose name ends in `.gz` (issue 18: about 150 bytes per asset instead of 970), with the
/// system's zlib.
enum Gzip {
    /// Whether `data` starts with gzip's magic bytes: a state is read by its content, whatever its name.
    static func isCompressed(_ data: some ContiguousBytesProvider) -> Bool {
        data.withBytes { $0.count >= 2 && $0[0] == 0x1F && $0[1] == 0x8B }
    }

    /// `bytes` as one gzip member. Level 6 (zlib's default): 100,000 records take about 0.5 s.
    static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: a 32 KiB window with a gzip header and trailer.
        precondition(
            deflateInit2_(
                &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK, "zlib deflateInit2 failed")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "zlib deflate did not finish (\(status))")
                return Int(stream.total_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }

    /// The content of a gzip file; with `until`, stops early once the output so far satisfies it.
    /// - Throws: `StateError.corrupt` naming `path` when the data is not a complete gzip stream.
    static func decompress(
        _ data: some ContiguousBytesProvider, path: String, until enough: ((Data) -> Bool)? = nil
    ) throws(StateError) -> Data {
        var stream = z_stream()
        // 15 + 32: a 32 KiB window, gzip or zlib header detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .io(path: path, operation: "decompress", reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        // Compressed JSON is about six times smaller: start there, grow as needed.
        output.reserveCapacity(enough == nil ? data.withBytes { $0.count } * 7 : 1 << 20)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        let status: Int32 = data.withBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, out.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if status != Z_OK { return status }
                if let enough, enough(output) { return Z_STREAM_END }
                if produced == 0 && stream.avail_in == 0 { return Z_BUF_ERROR }
            }
        }
        guard status == Z_STREAM_END else {
            let reason = status == Z_BUF_ERROR ? "the file ends early" : "zlib error \(status)"
            throw .corrupt(
                StateFormatError(file: path, position: "gzip", message: "not a complete gzip stream: \(reason)"))
        }
        return output
    }
}
