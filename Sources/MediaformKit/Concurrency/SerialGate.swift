import Synchronization

/// An async mutual exclusion in arrival order: one body at a time, including across its suspension points.
///
/// `Mutex` cannot be held across an `await`, and an actor lets a second call in while the first one awaits.
/// Journal appends need both: they await the storage, and they must reach it in the order their sequence numbers
/// were given.
final class SerialGate: Sendable {
    private struct Waiting {
        var busy = false
        var queue: [CheckedContinuation<Void, Never>] = []
    }

    private let waiting = Mutex(Waiting())

    init() {}

    /// Runs `body` once every earlier caller's body has finished.
    func run<R, E: Error>(_ body: () async throws(E) -> R) async throws(E) -> R {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        let mustWait = waiting.withLock { w in
            if !w.busy {
                w.busy = true
                return false
            }
            return true
        }
        guard mustWait else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Re-check under the lock: the holder may have left between the two critical sections.
            let enteredNow = waiting.withLock { w in
                if !w.busy {
                    w.busy = true
                    return true
                }
                w.queue.append(continuation)
                return false
            }
            if enteredNow { continuation.resume() }
        }
    }

    private func leave() {
        let next = waiting.withLock { w -> CheckedContinuation<Void, Never>? in
            if w.queue.isEmpty {
                w.busy = false
                return nil
            }
            return w.queue.removeFirst()
        }
        // The gate stays busy: it passes straight to the next caller.
        next?.resume()
    }
}
