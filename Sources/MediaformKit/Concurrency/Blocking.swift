import MediaformCore
import NIOPosix

/// Runs blocking work (file reads and writes, fsync) on NIO's blocking thread pool, off Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two on a CI runner): a thread stuck in `fsync` there stalls every
/// task, an in-process emulator included. `NIOThreadPool.singleton` exists for exactly this kind of work.
enum Blocking {
    /// Runs `body` on the blocking pool and returns its result, or rethrows its state error.
    static func run<T: Sendable>(
        _ body: @escaping @Sendable () throws(StateError) -> T
    ) async throws(StateError) -> T {
        let result: Result<T, StateError>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { () -> Result<T, StateError> in
                do throws(StateError) {
                    return .success(try body())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw .io(path: "-", operation: "run file I/O", reason: "the blocking thread pool is not running: \(error)")
        }
        return try result.get()
    }

    /// Runs work that cannot fail (a project load collects its problems as diagnostics) on the blocking pool.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(body)
        } catch {
            // The singleton pool is never shut down; should it be, the work still gets done, here.
            return body()
        }
    }
}
