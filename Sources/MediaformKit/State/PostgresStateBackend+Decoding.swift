import Foundation
import MediaformCore
import NIOCore
import Synchronization

extension PostgresStateBackend {
    /// Decodes asset rows on every core, off the cooperative pool: a state of a million assets is a million small
    /// JSON documents.
    static func decodeAssets(
        _ rows: [(key: String, record: ByteBuffer)], origin: String
    ) async throws(StateError) -> [String: AssetRecord] {
        try await Blocking.run { () throws(StateError) in try decodeAssetsNow(rows, origin: origin) }
    }

    private static func decodeAssetsNow(_ rows: [(key: String, record: ByteBuffer)], origin: String) throws(StateError)
        -> [String:
        AssetRecord]
    {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 5_000))
        let parts = Mutex<[Result<[(String, AssetRecord)], StateFormatError>]>(
            Array(repeating: .success([]), count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (rows.count * worker / workers)..<(rows.count * (worker + 1) / workers)
            var decoded: [(String, AssetRecord)] = []
            decoded.reserveCapacity(range.count)
            // Rows written in one apply share times and upload inputs: kept once (`RecordInterning`).
            var interning = RecordInterning()
            var result: Result<[(String, AssetRecord)], StateFormatError>
            do throws(StateFormatError) {
                for index in range {
                    let (key, bytes) = rows[index]
                    let record = try bytes.withUnsafeReadableBytes { (raw) throws(StateFormatError) -> AssetRecord in
                        try AssetRecord.decode(RawBytes(pointer: raw), key: key, file: origin, interning: &interning)
                    }
                    decoded.append((key, record))
                }
                result = .success(decoded)
            } catch {
                result = .failure(error)
            }
            parts.withLock { $0[worker] = result }
        }
        var assets: [String: AssetRecord] = [:]
        assets.reserveCapacity(rows.count)
        for part in parts.withLock({ $0 }) {
            switch part {
            case .success(let pairs): for (key, record) in pairs { assets[key] = record }
            case .failure(let error): throw .corrupt(error)
            }
        }
        return assets
    }
}
