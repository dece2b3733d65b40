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

    /// `body` of each chunk as `each` computes it, handed to `consume` in order a few chunks (`perRound`) at a time:
    /// for output too large to hold twice (the text of a 100,000-asset plan, a state file's records), written as
    /// it is made.
    static func inRounds<T: Sendable>(
        count: Int, size: Int, perRound: Int = 8, _ body: @Sendable (Range<Int>) -> T, consume: (T) -> Void
    ) {
        let round = size * max(perRound, 1)
        for start in stride(from: 0, to: count, by: round) {
            let parts = each(count: min(round, count - start), size: size) { range in
                body(start + range.lowerBound..<start + range.upperBound)
            }
            for part in parts { consume(part) }
        }
    }

    /// `transform` of each index of `0..<count`, in order.
    static func map<T: Sendable>(count: Int, size: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        each(count: count, size: size) { range in range.map(transform) }.flatMap { $0 }
    }
}
