import Foundation
import MediaformCore

#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only, whose pages the reader may drop once it is done with them (`drop`).
///
/// The state of 100,000 assets is about 100 MB of JSON. Read into memory, all of it stays resident beside the
/// records decoded from it; mapped, the decoder drops each part it has read (`MADV_DONTNEED`: the pages of a
/// private, never written mapping are read again from the file if touched, as an error's line number does).
final class MappedFile: ContiguousBytesProvider, @unchecked Sendable {
    private let base: UnsafeMutableRawPointer?
    let count: Int
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `path`, or returns nil when it does not exist.
    init?(path: String) throws(StateError) {
        guard let fd = try FileIO.openForReading(path) else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .io(path: path, operation: "stat", reason: String(cString: strerror(errno)))
        }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw .io(path: path, operation: "map", reason: String(cString: strerror(errno)))
        }
        base = mapped
    }

    deinit {
        if let base { munmap(base, count) }
    }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
    }

    /// The bytes, copied (for the rare reader that needs them as `Data`).
    var data: Data { withBytes { Data($0) } }

    /// Drops the whole pages inside `range` from memory; they are read again from the file if touched.
    func drop(_ range: Range<Int>) {
        guard let base else { return }
        let page = Self.pageSize
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        _ = madvise(base + start, end - start, MADV_DONTNEED)
    }
}
