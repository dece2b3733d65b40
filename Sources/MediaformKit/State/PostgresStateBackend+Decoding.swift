import Dispatch
import Foundation
import MediaformCore
import NIOCore
import Synchronization

extension PostgresStateBackend {
    /// Decodes asset rows while they arrive: the driver hands rows over on its event loop, and every batch of
    /// `batchSize` is decoded and added to the records on another core at once, so that a state of a million assets
    /// (a million small JSON documents, about a gigabyte) is decoded during the three seconds it takes to receive
    /// it, and no batch's row buffers are held once it is decoded.
    final class RowDecoder: Sendable {
        static let batchSize = 8_192

        /// The rows of the batch being filled, and how many batches went before: the driver's side.
        private struct Filling {
            var batch: [(key: ByteBuffer, record: ByteBuffer)] = []
            var submitted = 0
        }

        /// What the decoded batches made: the decoders' side (a lock of its own, so that the driver never waits
        /// while a batch is added to the records).
        private struct Progress {
            /// The first failure in row order: the batch it is in, and the error.
            var failure: (batch: Int, error: StateFormatError)?
            var assets: [String: AssetRecord] = [:]
        }

        private let origin: String
        /// How many rows are expected (the manifest cache's keys; 0 when unknown): the records are reserved for them
        /// at once instead of growing by doubling (each growth rehashes every record, three times on the way to a
        /// million).
        private let expected: Int
        /// The upload inputs the rows were stored relative to (`RowLayout.uploadDefaults`).
        private let uploadDefaults: [String: JSONValue]?
        private let filling = Mutex(Filling())
        private let progress = Mutex(Progress())
        private let group = DispatchGroup()
        /// At most this many batches wait or are being decoded; the driver waits for one of them to end before it
        /// hands over more (without it, rows arrive faster than two cores decode them and pile up in memory). The
        /// wait is on the driver's event loop, released by the decoders on their own queue: it cannot deadlock.
        private let inFlight = DispatchSemaphore(value: 4)
        private let queue = DispatchQueue(label: "mediaform.postgres-decode", attributes: .concurrent)

        init(origin: String, expected: Int = 0, uploadDefaults: [String: JSONValue]? = nil) {
            self.origin = origin
            self.expected = expected
            self.uploadDefaults = uploadDefaults
        }

        /// Takes one row; a full batch goes to be decoded.
        func add(key: ByteBuffer, record: ByteBuffer) {
            let full = filling.withLock { p -> (Int, [(key: ByteBuffer, record: ByteBuffer)])? in
                p.batch.append((key, record))
                guard p.batch.count >= Self.batchSize else { return nil }
                defer {
                    p.batch = []
                    p.submitted += 1
                }
                return (p.submitted, p.batch)
            }
            if let (index, rows) = full {
                inFlight.wait()
                submit(rows, index: index, counted: true)
            }
        }

        /// Decodes what is left, waits for every batch (off the cooperative pool) and returns the records, or the
        /// error of the first row, in row order, that could not be decoded.
        func finish() async throws(StateError) -> [String: AssetRecord] {
            let last = filling.withLock { p -> (Int, [(key: ByteBuffer, record: ByteBuffer)]) in
                defer {
                    p.batch = []
                    p.submitted += 1
                }
                return (p.submitted, p.batch)
            }
            // Not counted against `inFlight`: this runs on the cooperative pool, which must not wait (one batch more
            // at most; the semaphore ends above its start, which it allows).
            if !last.1.isEmpty { submit(last.1, index: last.0, counted: false) }
            await withCheckedContinuation { continuation in
                group.notify(queue: queue) { continuation.resume() }
            }
            let outcome = progress.withLock { p in
                defer { p.assets = [:] }
                return (p.assets, p.failure)
            }
            if let failure = outcome.1 { throw .corrupt(failure.error) }
            return outcome.0
        }

        private func submit(_ rows: [(key: ByteBuffer, record: ByteBuffer)], index: Int, counted: Bool) {
            queue.async(group: group) { [self] in
                defer { if counted { inFlight.signal() } }
                var decoded: [(String, AssetRecord)] = []
                decoded.reserveCapacity(rows.count)
                // Rows written in one apply share times and upload inputs: kept once per batch (`RecordInterning`).
                var interning = RecordInterning()
                var failure: StateFormatError?
                for (keyBytes, bytes) in rows {
                    let key = String(buffer: keyBytes)
                    do throws(StateFormatError) {
                        let record = try bytes.withUnsafeReadableBytes {
                            (raw) throws(StateFormatError) -> AssetRecord in
                            try AssetRecord.decode(
                                RawBytes(pointer: raw), key: key, file: origin, interning: &interning,
                                uploadDefaults: uploadDefaults)
                        }
                        decoded.append((key, record))
                    } catch {
                        failure = error
                        break
                    }
                }
                progress.withLock { p in
                    if let failure {
                        if p.failure.map({ index < $0.batch }) ?? true { p.failure = (index, failure) }
                        return
                    }
                    guard p.failure == nil else { return }
                    if p.assets.isEmpty { p.assets.reserveCapacity(max(expected, Self.batchSize * 16)) }
                    for (key, record) in decoded { p.assets[key] = record }
                }
            }
        }
    }
}
