import Dispatch
import Synchronization

/// Work over many independent items, split in chunks that run on every core, the results joined in order.
///
/// Used where one pass over 100,000 assets or changes is pure per item: hashing, planning, decoding and validating
/// one large manifest file, rendering. Below one chunk everything runs on the caller's thread.
enum ParallelChunks {
    /// `body` of each consecutive range of `0..<count` (`size` items each, the last one shorter), in order.
    static func each<T: Sendable>(count: Int, size: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let chunks = (count + size - 1) / size
        guard chunks > 1 else { return chunks == 1 ? [body(0..<count)] : [] }
        let results = Mutex([T?](repeating: nil, count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let part = body(chunk * size..<min(count, (chunk + 1) * size))
            results.withLock { $0[chunk] = part }
        }
        let parts = results.withLock { $0.compactMap { $0 } }
        precondition(parts.count == chunks, "a chunk was not computed")
        return parts
    }

    /// `transform` of each index of `0..<count`, in order.
    static func map<T: Sendable>(count: Int, size: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        each(count: count, size: size) { range in range.map(transform) }.flatMap { $0 }
    }
}
